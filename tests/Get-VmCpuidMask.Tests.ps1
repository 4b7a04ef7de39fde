#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
}

AfterAll {
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'Get-VmCpuidMask without a vCenter' {
    It 'refuses a host given as a VM, without connecting' {
        $vmhost = New-FakeVMHost -Name esx01 -MoRef host-12

        Get-VmCpuidMask -VM $vmhost -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InventoryInputInvalid,*'
    }
}

Describe 'Get-VmCpuidMask against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'shows the masks a VM has, raw and named, and nothing else of its configuration' {
        $vm = Get-VmCpuidMask vm-undo01 @Connection

        $vm | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskInfo])
        $vm.HasMask | Should -BeTrue
        $vm.Lines | Should -Contain 'cpuid.80000001.ecx = "-----------------------0--------"'
        $vm.Lines | Should -Contain 'featMask.vm.cpuid.PCID = "Val:0"'
        ($vm.Lines -join ' ') | Should -Not -BeLike '*guestinfo*'
    }

    It 'shows power state, hardware version, host and the running VM''s feature requirement' {
        $vm = Get-VmCpuidMask vm-batch02 @Connection

        $vm.PowerState | Should -Be 'poweredOn'
        $vm.HardwareVersion | Should -Be 'vmx-13'
        $vm.VMHost | Should -Be 'esx-ivy-01'
        ($vm.FeatureRequirement -join ' ') | Should -BeLike '*cpuid.AVX*'
    }

    It 'expands wildcards and lists each VM once, by name' {
        $vms = Get-VmCpuidMask 'vm-web*', 'vm-web01' @Connection

        $vms.Name -join ',' | Should -Be 'vm-web01,vm-web02'
    }

    It 'reports a VM that does not exist and still reads the others' {
        $vms = Get-VmCpuidMask vm-web01, vm-nope @Connection -ErrorVariable errors -ErrorAction SilentlyContinue

        $vms.Name | Should -Be 'vm-web01'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reads Get-VM''s objects by their reference' {
        $id = (Get-VmCpuidMask vm-web01 @Connection).Id
        $vm = Get-VM vm-web01 -Server (Connect-VIServer vc01 -NotDefault)

        $vm.Id | Should -Be $id
        ($vm | Get-VmCpuidMask @Connection).Id | Should -Be $id
    }

    It 'shows each VM as a list with its mask lines whole' {
        (Get-VmCpuidMask vm-web01 @Connection | Out-String) | Should -BeLike '*Name*vm-web01*PowerState*poweredOff*cpuid.1.edx = "-------------------------------0"*'
    }
}

Describe 'Get-VmCpuidMask progress against a vCenter that answers in small pages' -Skip:(-not $HasSimulator) {
    BeforeAll {
        # Two objects a page, whatever the module asks: a few VMs take several pages, as thousands take many of 500.
        $vc = Start-TestVCenter -MaxObjects 2
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        $VmCount = @(Get-VmCpuidMask * @Connection -ErrorAction SilentlyContinue).Count
        $Server = $vc.Host
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'reads every VM name page by page without a total, then the VMs named as n of their number, and clears it before the first VM' {
        $run = Invoke-WithProgress {
            param($Connection)
            Get-VmCpuidMask vm-web01, vm-web02, vm-db01 @Connection | Add-ProgressMark
        } @{ Connection = $Connection }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Be 'vm-db01 after Completed', 'vm-web01 after Completed', 'vm-web02 after Completed'
        $run.Progress.Activity | Sort-Object -Unique | Should -Be 'Reading vCenter inventory'
        $names = @($run.Progress | Where-Object StatusDescription -like '*VM names read')
        $names.Count | Should -Be ([math]::Ceiling($VmCount / 2))
        $names[0].StatusDescription | Should -Be "${Server}: 2 VM names read"
        $names[-1].StatusDescription | Should -Be "${Server}: $VmCount VM names read"
        $names.PercentComplete | Sort-Object -Unique | Should -Be -1
        $vms = @($run.Progress | Where-Object StatusDescription -like '*VMs read')
        $vms.StatusDescription | Should -Be "${Server}: 2 of 3 VMs read", "${Server}: 3 of 3 VMs read"
        $vms.PercentComplete | Should -Be 66, 100
        $run.Progress.IndexOf($vms[0]) | Should -BeGreaterThan $run.Progress.IndexOf($names[-1])
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'reads VMs given by reference as n of their number, without reading every VM name' {
        $given = Get-VmCpuidMask vm-web01, vm-web02, vm-db01 @Connection

        $run = Invoke-WithProgress { param($Connection, $Vms) $Vms | Get-VmCpuidMask @Connection } @{ Connection = $Connection; Vms = $given }

        $run.Output.Name | Should -Be 'vm-db01', 'vm-web01', 'vm-web02'
        $run.Progress.StatusDescription | Should -Not -BeLike '*names read'
        @($run.Progress | Where-Object StatusDescription -like '*VMs read').StatusDescription | Should -Be "${Server}: 2 of 3 VMs read", "${Server}: 3 of 3 VMs read"
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'clears the progress before a VM that does not exist is reported' {
        $run = Invoke-WithProgress {
            param($Connection)
            Get-VmCpuidMask vm-web01, vm-nope @Connection 2>&1 | Add-ProgressMark
        } @{ Connection = $Connection }

        $run.Output | Should -HaveCount 2
        $run.Output | Should -Contain 'vm-web01 after Completed'
        $run.Output | Where-Object { $_ -like 'VmNotFound,*' } | Should -BeLike '* after Completed'
    }

    It 'stops at Ctrl+C in the middle of the read, without waiting for its last page' {
        Set-TestVCenterLatency $vc -Delay '00:00:00.100'
        $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path (Get-RepoRoot) 'artifacts/module/CpuidMask' }
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddParameter('Name', $module).AddStatement()
            $null = $shell.AddScript('param($Connection) Get-VmCpuidMask * @Connection').AddParameter('Connection', $Connection)
            $pending = $shell.BeginInvoke()
            # The names alone are dozens of pages of a tenth of a second each: the first page's progress comes long before the end.
            $shown = [System.Diagnostics.Stopwatch]::StartNew()
            while ($shell.Streams.Progress.Count -eq 0 -and $shown.Elapsed.TotalSeconds -lt 10) { Start-Sleep -Milliseconds 20 }
            $shell.Streams.Progress.Count | Should -BeGreaterThan 0
            $stopping = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stopping.Elapsed.TotalSeconds | Should -BeLessThan 2
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $shell.EndInvoke($pending) | Should -BeNullOrEmpty
            $shell.Streams.Progress | Where-Object RecordType -eq 'Processing' | Select-Object -First 1 -ExpandProperty StatusDescription | Should -BeLike '*VM names read'
        }
        finally {
            $shell.Dispose()
            Set-TestVCenterLatency $vc -Delay 0
        }
    }
}
