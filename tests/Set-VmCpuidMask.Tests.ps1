#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
    $Mask = Get-HostCpuid -Path $Avoton, $IvyBridge | New-VmCpuidMask
}

AfterAll {
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'Set-VmCpuidMask without a vCenter' {
    BeforeAll {
        $savedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $savedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $global:DefaultVIServer = $null
        $global:DefaultVIServers = @()
    }

    AfterAll {
        $global:DefaultVIServer = $savedDefault
        $global:DefaultVIServers = $savedAll
    }

    It 'stops with NoVCenterSession before anything else' {
        { $Mask | Set-VmCpuidMask -VM vm01 -Confirm:$false } | Should -Throw -ErrorId 'NoVCenterSession,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'refuses a malformed .vmx line before connecting' {
        { Set-VmCpuidMask -VM vm01 -Mask 'cpuid.1.ecx = nonsense' -Confirm:$false } | Should -Throw -ErrorId 'MaskLineMalformed,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'refuses one key in two spellings, naming both, before connecting' {
        $lines = 'cpuid.1.ecx = "-------------------------------0"', 'cpuid.01.ecx = "-------------------------------0"'

        $thrown = { Set-VmCpuidMask -VM vm01 -Mask $lines -Confirm:$false } |
            Should -Throw -ErrorId 'MaskKeyDuplicate,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -Be "-Mask line 2: 'cpuid.01.ecx' is the same key as 'cpuid.1.ecx' (line 1): both are cpuid.1.ecx. Keep one of them."
    }

    It 'refuses a feature name the catalog lacks unless -AllowUnknownFeature, and a value that is no mask either way' {
        $thrown = { Set-VmCpuidMask -VM vm01 -Mask 'featMask.vm.cpuid.NUMLEVELS = "Max:0xd"' -Confirm:$false } |
            Should -Throw -ErrorId 'MaskFeatureUnknown,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*add -AllowUnknownFeature.'
        # Accepted: the next thing to stop it is the missing vCenter session.
        { Set-VmCpuidMask -VM vm01 -Mask 'featMask.vm.cpuid.NUMLEVELS = "Max:0xd"' -AllowUnknownFeature -Confirm:$false } |
            Should -Throw -ErrorId 'NoVCenterSession,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        { Set-VmCpuidMask -VM vm01 -Mask 'featMask.vm.cpuid.NUMLEVELS = "Val:99999999999999999999"' -AllowUnknownFeature -Confirm:$false } |
            Should -Throw -ErrorId 'MaskMalformed,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'refuses mask JSON whose value is not a string with a terminating error naming line and key' {
        $json = '{', '  "extraConfig": {', '    "cpuid.1.ecx": 1e999', '  }', '}'

        $thrown = { $json | Set-VmCpuidMask -VM vm01 -Confirm:$false } |
            Should -Throw -ErrorId 'MaskFileMalformed,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "-Mask line 3: key 'cpuid.1.ecx' has 1e999;*"
    }

    It 'says -VM is missing when a mask is piped without it' {
        $Mask | Set-VmCpuidMask -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmRequired,*'
    }

    It 'says -Mask is missing when VMs are piped without it, instead of taking them for undo records' {
        # PowerCLI's VirtualMachine carries ExtensionData.MoRef; a bare name is a VM name too.
        $vm = [pscustomobject]@{ Name = 'vm01'; Id = 'VirtualMachine-vm-42'; ExtensionData = [pscustomobject]@{ MoRef = [pscustomobject]@{ Type = 'VirtualMachine'; Value = 'vm-42' } } }

        { $vm | Set-VmCpuidMask -Confirm:$false } | Should -Throw -ErrorId 'MaskRequired,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        $thrown = { 'vm01', 'vm02' | Set-VmCpuidMask -Confirm:$false } | Should -Throw -ErrorId 'MaskRequired,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*-Mask is missing*Set-VmCpuidMask -Mask*'
    }

    It 'says only that -Mask is missing when VMs are piped without it, with no word of the deprecated -Undo' {
        $vm = [pscustomobject]@{ Name = 'vm01'; Id = 'VirtualMachine-vm-42'; ExtensionData = [pscustomobject]@{ MoRef = [pscustomobject]@{ Type = 'VirtualMachine'; Value = 'vm-42' } } }

        $thrown = $null
        try { $vm | Set-VmCpuidMask -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue }
        catch { $thrown = $_ }
        $thrown.FullyQualifiedErrorId | Should -Be 'MaskRequired,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        $warnings | Should -BeNullOrEmpty
    }

    It 'warns that -Undo is deprecated when it is named, even before anything is read' {
        Set-VmCpuidMask -Undo ([pscustomobject]@{ Name = 'vm01' }) -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*-Undo is deprecated*Undo-VmCpuidMask*'
    }

    It 'documents that -VM takes pipeline input' {
        (Get-Help Set-VmCpuidMask -Parameter VM).pipelineInput | Should -Be 'True (ByValue)'
    }

    It 'refuses to undo something that is not a Set-VmCpuidMask result' {
        Set-VmCpuidMask -Undo ([pscustomobject]@{ Name = 'vm01' }) -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'UndoInputInvalid,*'
    }

    It 'refuses -Method PerVmEvc without -Baseline, before connecting' {
        { Set-VmCpuidMask -VM vm01 -Mask $Mask -Method PerVmEvc -Confirm:$false } | Should -Throw -ErrorId 'PerVmEvcNeedsBaseline,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'refuses -Force and -Replace with -Method PerVmEvc, and -Baseline none without it' {
        { Set-VmCpuidMask -VM vm01 -Method PerVmEvc -Baseline intel-haswell -Force -Confirm:$false } | Should -Throw -ErrorId 'PerVmEvcOptionInvalid,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        { Set-VmCpuidMask -VM vm01 -Method PerVmEvc -Baseline intel-haswell -Replace -Confirm:$false } | Should -Throw -ErrorId 'PerVmEvcOptionInvalid,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        { Set-VmCpuidMask -VM vm01 -Baseline none -Confirm:$false } | Should -Throw -ErrorId 'BaselineNoneNeedsPerVmEvc,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'takes ExtraConfig or PerVmEvc as -Method, nothing else' {
        { Set-VmCpuidMask -VM vm01 -Baseline intel-haswell -Method Cluster -Confirm:$false } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
    }

    It 'is a high-impact change that supports -WhatIf' {
        $command = Get-Command Set-VmCpuidMask
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Set-VmCpuidMask against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'writes nothing with -WhatIf' {
        $Mask | Set-VmCpuidMask -VM vm-web02 @Connection -WhatIf

        (Get-VmCpuidMask vm-web02 @Connection).HasMask | Should -BeFalse
    }

    It 'writes the four lines, verified, and returns the previous value of every key' {
        $change = $Mask | Set-VmCpuidMask -VM vm-web02 @Connection -Confirm:$false -PassThru

        $change | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskChange])
        $change.Applied | Should -BeTrue
        $change.Verified | Should -BeTrue
        ($change.Keys | Sort-Object) -join ',' | Should -Be 'cpuid.1.ecx,cpuid.7.ebx,cpuid.80000001.ecx,cpuid.d.eax'
        $change.Changes.PreviousValue | Where-Object { $null -ne $_ } | Should -BeNullOrEmpty
        ((Get-VmCpuidMask vm-web02 @Connection).Lines | Sort-Object) -join "`n" | Should -Be (($WorkedCaseLines | Sort-Object) -join "`n")
    }

    It 'writes a mask read from a file with -Mask (Get-Content mask.vmx), as its help shows' {
        $file = Join-Path $TestDrive 'mask.vmx'
        Set-Content -LiteralPath $file -Value $WorkedCaseLines

        $change = Set-VmCpuidMask -VM vm-file01 -Mask (Get-Content -LiteralPath $file) @Connection -Confirm:$false -PassThru

        $change.Verified | Should -BeTrue
        ((Get-VmCpuidMask vm-file01 @Connection).Lines | Sort-Object) -join "`n" | Should -Be (($WorkedCaseLines | Sort-Object) -join "`n")
    }

    It 'writes the JSON of cpuidmask mask --format json piped in by Get-Content' {
        $file = Join-Path $TestDrive 'mask.json'
        Set-Content -LiteralPath $file -Value ([CpuidMask.Engine.Readers.MaskJson]::Write($Mask.Generated))

        $change = Get-Content -LiteralPath $file | Set-VmCpuidMask -VM vm-key01 @Connection -Confirm:$false -PassThru

        $change.Verified | Should -BeTrue
        ((Get-VmCpuidMask vm-key01 @Connection).Lines | Sort-Object) -join "`n" | Should -Be (($WorkedCaseLines | Sort-Object) -join "`n")
    }

    It 'replaces a key the VM holds in another case under its spelling, never beside it, and undoes it exactly' {
        $before = (Get-VmCpuidMask vm-key05 @Connection).Lines

        $change = Set-VmCpuidMask -VM vm-key05 -Mask $Mask -Replace @Connection -Confirm:$false -PassThru
        $applied = (Get-VmCpuidMask vm-key05 @Connection).Lines
        Set-VmCpuidMask -Undo $change @Connection -Confirm:$false

        $change.Verified | Should -BeTrue
        ($change.Changes | Where-Object Key -eq 'Cpuid.1.Ecx').NewValue | Should -Be '--00-0---0----0-----------------'
        ($change.Changes | Where-Object Key -eq 'FEATMASK.VM.CPUID.PCID').NewValue | Should -BeNullOrEmpty
        $applied | Should -Contain 'Cpuid.1.Ecx = "--00-0---0----0-----------------"'
        @($applied | Where-Object { $_ -like 'cpuid.1.ecx *' }).Count | Should -Be 1
        ((Get-VmCpuidMask vm-key05 @Connection).Lines | Sort-Object) -join "`n" | Should -Be (($before | Sort-Object) -join "`n")
    }

    It 'changes nothing the second time' {
        $again = Set-VmCpuidMask -VM vm-web02 -Mask $Mask @Connection -Confirm:$false -PassThru

        $again.Applied | Should -BeFalse
        $again.Changes.Count | Should -Be 0
    }

    It 'merges with the masks a VM has, and -Replace replaces them' {
        $merged = Set-VmCpuidMask -VM vm-undo02 -Mask $Mask @Connection -Confirm:$false -PassThru
        $merged.Lines | Should -Contain 'cpuid.1.ecx = "--00-0---0----0----------------1"'

        $replaced = Set-VmCpuidMask -VM vm-undo02 -Mask $Mask -Replace @Connection -Confirm:$false -PassThru
        $replaced.Lines | Should -Contain 'cpuid.1.ecx = "--00-0---0----0-----------------"'
        ($replaced.Changes | Where-Object Key -eq 'cpuid.1.ecx').PreviousValue | Should -Be '--00-0---0----0----------------1'

        $replaced | Undo-VmCpuidMask @Connection -Confirm:$false
        $merged | Undo-VmCpuidMask @Connection -Confirm:$false
        (Get-VmCpuidMask vm-undo02 @Connection).Lines | Should -Be 'cpuid.1.ecx = "-------------------------------1"'
    }

    It 'refuses a powered-on VM without -Force, and with -Force warns that it applies at the next power-on' {
        Set-VmCpuidMask -VM vm-batch02 -Mask $Mask @Connection -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmPoweredOn,*'
        $errors[0].TargetObject | Should -Be 'vm-batch02'
        $errors[0].Exception.Message | Should -BeLike '*Use -Force to store the change now*'
        $errors[0].Exception.Message | Should -Not -BeLike '*--force*'

        $change = Set-VmCpuidMask -VM vm-batch02 -Mask $Mask @Connection -Force -Confirm:$false -PassThru -WarningVariable warnings -WarningAction SilentlyContinue
        $change.Verified | Should -BeTrue
        ($warnings -join ' ') | Should -BeLike '*next power-on*'
    }

    It 'takes VMs from the pipeline with the mask as .vmx lines, and goes on past a VM that does not exist' {
        $changes = 'vm-stale01', 'vm-nope' | Set-VmCpuidMask -Mask $WorkedCaseLines @Connection -Confirm:$false -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue

        $changes.VM | Should -Be 'vm-stale01'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmNotFound,*'
    }

    It 'shows progress per VM, in the order they came, and clears it at the end' {
        $run = Invoke-WithProgress {
            param($Connection, $Lines)
            'vm-stale01', 'vm-batch01' | Set-VmCpuidMask -Mask $Lines @Connection -WhatIf
        } @{ Connection = $Connection; Lines = $WorkedCaseLines }

        $run.Errors | Should -BeNullOrEmpty
        $setting = $run.Progress | Where-Object Activity -eq 'Setting CPUID masks'
        $setting.StatusDescription | Select-Object -First 2 | Should -Be 'vm-stale01 (1 of 2)', 'vm-batch01 (2 of 2)'
        $setting[0].PercentComplete | Should -Be 0
        $setting[1].PercentComplete | Should -Be 50
        $setting[-1].RecordType | Should -Be 'Completed'
    }

    It 'ends the progress of the writes with all of them done' {
        $run = Invoke-WithProgress {
            param($Connection, $Lines)
            'vm-web01', 'vm-db01' | Set-VmCpuidMask -Mask $Lines @Connection -Confirm:$false -Force
        } @{ Connection = $Connection; Lines = $WorkedCaseLines }

        $run.Errors | Should -BeNullOrEmpty
        $setting = @($run.Progress | Where-Object Activity -eq 'Setting CPUID masks')
        $setting.StatusDescription | Select-Object -Last 2 | Should -Be '2 of 2 done', '2 of 2 done'
        $setting[-2].PercentComplete | Should -Be 100
        $setting[-1].RecordType | Should -Be 'Completed'
    }

    It 'shows the VMs read before they are previewed, and clears that before the first VM''s progress' {
        $run = Invoke-WithProgress {
            param($Connection, $Lines)
            'vm-stale01', 'vm-batch01' | Set-VmCpuidMask -Mask $Lines @Connection -WhatIf
        } @{ Connection = $Connection; Lines = $WorkedCaseLines }

        $reading = @($run.Progress | Where-Object Activity -eq 'Reading vCenter inventory')
        $reading.StatusDescription | Should -Contain "$($vc.Host): 2 of 2 VMs read"
        $reading[-1].RecordType | Should -Be 'Completed'
        $firstVm = ($run.Progress | Where-Object Activity -eq 'Setting CPUID masks')[0]
        $run.Progress.IndexOf($reading[-1]) | Should -BeLessThan $run.Progress.IndexOf($firstVm)
    }

    It 'refuses, per VM and before asking, a mask or EVC mode made for the other CPU vendor' {
        $before = (Get-VmCpuidMask vm-amd01 @Connection).Lines

        Set-VmEvcMode -VM vm-amd01 -Baseline intel-haswell @Connection -Confirm:$false -ErrorVariable evc -ErrorAction SilentlyContinue
        Set-VmCpuidMask -VM vm-amd01 -Baseline intel-westmere @Connection -Confirm:$false -ErrorVariable raw -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        Get-HostCpuid -Path $Avoton, $IvyBridge | New-VmCpuidMask |
            Set-VmCpuidMask -VM vm-amd01, vm-file01 @Connection -WhatIf -ErrorVariable computed -ErrorAction SilentlyContinue

        foreach ($errors in $evc, $raw, $computed) {
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'CpuVendorMismatch,*'
            $errors[0].TargetObject | Should -Be 'vm-amd01'
            $errors[0].Exception.Message | Should -BeLike '*AMD CPU*for Intel CPUs*'
        }
        (Get-VmCpuidMask vm-amd01 @Connection).Lines | Should -Be $before
        (Get-VmCpuidMask vm-amd01 @Connection).FeatureMask | Should -BeNullOrEmpty
    }

    It 'refuses, per VM and before asking, the JSON of a mask for the other CPU vendor, given whole or as lines' {
        # What 'cpuidmask mask --format json' writes: over two AMD hosts (hosts[].vendor), and for an AMD baseline alone.
        $dumps = Join-Path $RepoRoot 'tests/data/dumps'
        $amdHosts = Join-Path $TestDrive 'amd-hosts.json'
        $amdZen = Join-Path $TestDrive 'amd-zen.json'
        $overHosts = Get-HostCpuid -Path (Join-Path $dumps 'AuthenticAMD0830F10_K17_Rome_CPUID2.txt'), (Join-Path $dumps 'AuthenticAMD0A00F11_K19_Milan_CPUID1.txt') | New-VmCpuidMask
        Set-Content -LiteralPath $amdHosts -Value ([CpuidMask.Engine.Readers.MaskJson]::Write($overHosts.Generated))
        Set-Content -LiteralPath $amdZen -Value ([CpuidMask.Engine.Readers.MaskJson]::Write([CpuidMask.Engine.Analysis.BaselineMaskGenerator]::new().Generate('amd-zen')))
        $before = Read-TestVCenterVm -VCenter $vc -Name vm-web02

        Set-VmCpuidMask -VM vm-web02 -Mask (Get-Content -LiteralPath $amdHosts -Raw) @Connection -Confirm:$false -ErrorVariable whole -ErrorAction SilentlyContinue
        Set-VmCpuidMask -VM vm-web02 -Mask (Get-Content -LiteralPath $amdZen) @Connection -Confirm:$false -ErrorVariable lines -ErrorAction SilentlyContinue
        Set-VmCpuidMask -VM vm-web02, vm-amd01 -Mask (Get-Content -LiteralPath $amdHosts -Raw) @Connection -WhatIf -ErrorVariable perVm -ErrorAction SilentlyContinue

        foreach ($errors in $whole, $lines, $perVm) {
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'CpuVendorMismatch,*'
            $errors[0].TargetObject | Should -Be 'vm-web02'
            $errors[0].Exception.Message | Should -BeLike '*Intel CPU*for AMD CPUs*'
        }
        $after = Read-TestVCenterVm -VCenter $vc -Name vm-web02
        $after.ChangeVersion | Should -Be $before.ChangeVersion
        ($after.ExtraConfig | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join "`n" | Should -Be (($before.ExtraConfig | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join "`n")
    }

    It 'still takes the deprecated -Undo and -Method PerVmEvc forms, each with a warning naming its successor' {
        $change = Set-VmCpuidMask -VM vm-idem01 -Mask $Mask @Connection -Confirm:$false -PassThru
        $undone = $change | Set-VmCpuidMask @Connection -Confirm:$false -PassThru -WarningVariable undoWarnings -WarningAction SilentlyContinue
        $evc = Set-VmCpuidMask -VM vm-app02 -Method PerVmEvc -Baseline intel-haswell @Connection -Confirm:$false -PassThru -WarningVariable evcWarnings -WarningAction SilentlyContinue

        $undone.Mode | Should -Be 'Undo'
        (Get-VmCpuidMask vm-idem01 @Connection).HasMask | Should -BeFalse
        ($undoWarnings -join ' ') | Should -BeLike '*-Undo is deprecated*Undo-VmCpuidMask*'
        $evc.EvcMode | Should -Be 'intel-haswell'
        $evc.Verified | Should -BeTrue
        ($evcWarnings -join ' ') | Should -BeLike '*-Method PerVmEvc is deprecated*Set-VmEvcMode*'
        $evc | Undo-VmCpuidMask @Connection -Confirm:$false
    }

    It 'writes a mode''s complete raw mask with the default method' {
        $change = Set-VmCpuidMask -VM vm-westmere01 -Baseline intel-westmere @Connection -Confirm:$false -PassThru -WarningAction SilentlyContinue

        $change | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskChange])
        $change.Verified | Should -BeTrue
        $change.Lines | Should -Contain 'cpuid.1.ecx = "-000-0---0----0----0------------"'
    }

    It 'runs the PowerCLI workflow on PowerCLI''s session' {
        $savedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $savedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        try {
            $null = Connect-VIServer vc01

            $change = Get-VMHost esx-avoton-01, esx-ivy-01 | Get-HostCpuid -Thumbprint $vc.Thumbprint | New-VmCpuidMask |
                Set-VmCpuidMask -VM vm-batch01 -Thumbprint $vc.Thumbprint -Confirm:$false -PassThru

            ($change.Lines | Sort-Object) -join "`n" | Should -Be (($WorkedCaseLines | Sort-Object) -join "`n")
            $written = (Get-VM vm-batch01).ExtensionData.Config.ExtraConfig | Where-Object Key -like 'cpuid.*' | ForEach-Object { '{0} = "{1}"' -f $_.Key, $_.Value }
            ($written | Sort-Object) -join "`n" | Should -Be (($WorkedCaseLines | Sort-Object) -join "`n")
        }
        finally {
            Disconnect-VIServer -Server * -Confirm:$false
            $global:DefaultVIServer = $savedDefault
            $global:DefaultVIServers = $savedAll
        }
    }
}
