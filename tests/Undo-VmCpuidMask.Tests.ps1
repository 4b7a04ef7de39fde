#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Mask = Get-HostCpuid -Path $Avoton, $IvyBridge | New-VmCpuidMask
}

Describe 'Undo-VmCpuidMask without a vCenter' {
    It 'takes only change records from the pipeline: a VM or a mask is refused by the binder' {
        { 'vm01' | Undo-VmCpuidMask -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InputObjectNotBound,CpuidMask.PowerShell.Commands.UndoVmCpuidMaskCommand'
        { $Mask | Undo-VmCpuidMask -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InputObjectNotBound,CpuidMask.PowerShell.Commands.UndoVmCpuidMaskCommand'
    }

    It 'reports an undo file pattern that matches nothing, and a file that is not an undo record' {
        $bad = Join-Path $TestDrive 'not-undo.json'
        Set-Content -LiteralPath $bad -Value '{"hello": 1}'

        Undo-VmCpuidMask -Path (Join-Path $TestDrive 'cpuidmask-undo-*.json'), $bad -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'UndoFileNotFound,*'
        $errors[1].TargetObject | Should -Be $bad
    }
}

Describe 'Undo-VmCpuidMask against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'undoes a change from its Export-Clixml copy' {
        $change = Set-VmCpuidMask -VM vm-idem01 -Mask $Mask @Connection -Confirm:$false -PassThru
        $file = Join-Path $TestDrive 'change.xml'
        $change | Export-Clixml -LiteralPath $file

        $undone = Import-Clixml -LiteralPath $file | Undo-VmCpuidMask @Connection -Confirm:$false -PassThru

        $undone | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskChange])
        $undone.Mode | Should -Be 'Undo'
        $undone.Verified | Should -BeTrue
        (Get-VmCpuidMask vm-idem01 @Connection).HasMask | Should -BeFalse
    }

    It 'unwinds changes made one after another newest first, whatever order they come in' {
        $first = Set-VmCpuidMask -VM vm-undo02 -Mask $Mask @Connection -Confirm:$false -PassThru
        $second = Set-VmCpuidMask -VM vm-undo02 -Mask $Mask -Replace @Connection -Confirm:$false -PassThru

        $first, $second | Undo-VmCpuidMask @Connection -Confirm:$false

        (Get-VmCpuidMask vm-undo02 @Connection).Lines | Should -Be 'cpuid.1.ecx = "-------------------------------1"'
    }

    It 'refuses a VM changed again since (UndoConflict), and -Force restores it anyway' {
        $change = Set-VmCpuidMask -VM vm-batch01 -Mask $Mask @Connection -Confirm:$false -PassThru
        Set-VmCpuidMask -VM vm-batch01 -Mask 'cpuid.1.ecx = "--00-0---0----0----------------0"' @Connection -Confirm:$false

        $change | Undo-VmCpuidMask @Connection -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'UndoConflict,*'
        $errors[0].Exception.Message | Should -BeLike '*Use -Force to restore the previous values anyway.'
        (Get-VmCpuidMask vm-batch01 @Connection).Lines | Should -Contain 'cpuid.1.ecx = "--00-0---0----0----------------0"'

        $change | Undo-VmCpuidMask @Connection -Force -Confirm:$false
        (Get-VmCpuidMask vm-batch01 @Connection).HasMask | Should -BeFalse
    }

    It 'undoes a per-VM EVC change: the previous mask again, or none' {
        $applied = Set-VmEvcMode -VM vm-evc02 -Baseline intel-haswell @Connection -Confirm:$false -PassThru
        $applied.Previous.Count | Should -BeGreaterThan 0 -Because 'vm-evc02 starts with a per-VM EVC mode of its own'
        $before = $applied.Previous

        $restored = $applied | Undo-VmCpuidMask @Connection -Confirm:$false -PassThru

        $restored | Should -BeOfType ([CpuidMask.PowerShell.VmEvcModeChange])
        $restored.Verified | Should -BeTrue
        ((Get-VmCpuidMask vm-evc02 @Connection).FeatureMask | Sort-Object) -join ';' | Should -Be (($before | Sort-Object) -join ';')
    }

    It 'reads the undo files ''cpuidmask apply'' writes' {
        $change = Set-VmCpuidMask -VM vm-stale01 -Mask $Mask @Connection -Confirm:$false -PassThru
        $file = Join-Path $TestDrive 'cpuidmask-undo-vm-stale01-20261127T080000Z.json'
        Set-Content -LiteralPath $file -Value $change.ToUndoRecord().ToJson()

        $undone = Undo-VmCpuidMask -Path (Join-Path $TestDrive 'cpuidmask-undo-vm-stale01-*.json') @Connection -Confirm:$false -PassThru

        $undone.VM | Should -Be 'vm-stale01'
        (Get-VmCpuidMask vm-stale01 @Connection).HasMask | Should -BeFalse
    }

    It 'keeps an undo file per VM in -UndoPath, written before the change and completed with its outcome, that -Path undoes later' {
        $folder = Join-Path $TestDrive 'undo'
        New-Item -ItemType Directory -Path $folder | Out-Null

        $changes = 'vm-wal01', 'vm-wal02', 'vm-wal03' | Set-VmCpuidMask -Mask $Mask @Connection -UndoPath $folder -ThrottleLimit 3 -Confirm:$false -PassThru

        $changes.VM | Should -Be 'vm-wal01', 'vm-wal02', 'vm-wal03' -Because 'results come out in the order the VMs came, whatever order they finish in'
        $files = Get-ChildItem -LiteralPath $folder -Filter 'cpuidmask-undo-vm-wal0*.json'
        $files.Count | Should -Be 3
        foreach ($file in $files) {
            $json = Get-Content -LiteralPath $file.FullName -Raw | ConvertFrom-Json
            $json.outcome | Should -Be 'applied'
            $json.kind | Should -Be 'extraConfig'
        }

        Undo-VmCpuidMask -Path (Join-Path $folder 'cpuidmask-undo-vm-wal0*.json') @Connection -Confirm:$false
        foreach ($vm in 'vm-wal01', 'vm-wal02', 'vm-wal03') { (Get-VmCpuidMask $vm @Connection).HasMask | Should -BeFalse }
    }

    It 'keeps the per-VM EVC mask a VM had in its -UndoPath file, and -Path puts it back' {
        $folder = Join-Path $TestDrive 'evc-undo'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $before = (Get-VmCpuidMask vm-wal05 @Connection).FeatureMask

        Set-VmEvcMode -VM vm-wal05 -Baseline intel-haswell @Connection -UndoPath $folder -Confirm:$false
        (Get-VmCpuidMask vm-wal05 @Connection).FeatureMask.Count | Should -Not -Be $before.Count

        Undo-VmCpuidMask -Path (Join-Path $folder '*.json') @Connection -Confirm:$false
        ((Get-VmCpuidMask vm-wal05 @Connection).FeatureMask | Sort-Object) -join ';' | Should -Be (($before | Sort-Object) -join ';')
    }

    It 'stops before any VM is changed when -UndoPath cannot be written to' {
        # /proc is a folder no one can create files in, root included.
        { Set-VmCpuidMask -VM vm-wal04 -Mask $Mask @Connection -UndoPath /proc -Confirm:$false } |
            Should -Throw -ErrorId 'UndoFileDirectoryNotWritable,CpuidMask.PowerShell.Commands.SetVmCpuidMaskCommand'
        (Get-VmCpuidMask vm-wal04 @Connection).HasMask | Should -BeFalse
    }
}
