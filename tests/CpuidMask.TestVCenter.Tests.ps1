#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The Pester side of the simulator harness (tests/vcsim/README.md): the functions in CpuidMask.TestSetup.ps1 that
# arm faults, set latency and read VMs independently with pyVmomi. The xunit HarnessTests prove each fault in
# detail; this file proves the Pester functions drive them.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
}

Describe 'The test vCenter functions' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    AfterEach {
        Clear-TestVCenterFault $vc
        Set-TestVCenterLatency $vc -Delay 0 -TaskDuration 0
    }

    It 'reads every VM with pyVmomi, or only the VMs named' {
        $inventory = Get-Content -LiteralPath (Join-Path (Get-RepoRoot) 'tests/vcsim/inventory.json') -Raw | ConvertFrom-Json

        $all = @(Read-TestVCenterVm $vc)
        $undo = Read-TestVCenterVm $vc -Name vm-undo01
        $evc = Read-TestVCenterVm $vc -Name vm-evc02

        $all.Count | Should -Be @($inventory.vms).Count
        $undo.Name | Should -Be 'vm-undo01'
        $undo.Moref | Should -Match '^vm-\d+$'
        # As the simulator writes it (microseconds, Z), not re-rendered as a date.
        $undo.ChangeVersion | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$'
        $undo.ExtraConfig.Key | Should -Contain 'cpuid.80000001.ecx'
        $evc.FeatureMask.Count | Should -BeGreaterThan 0
        { Read-TestVCenterVm $vc -Name vm-nope } | Should -Throw '*no VM named vm-nope*'
    }

    It 'arms a fault that fires on the module''s requests, reports it, and clears it' {
        $fault = Add-TestVCenterFault $vc 'kill-before RetrievePropertiesEx every'

        { Get-VmCpuidMask vm-web01 @Connection -ErrorAction Stop } | Should -Throw
        $fired = Get-TestVCenterFault $vc -Id $fault.Id
        Clear-TestVCenterFault $vc
        $read = Get-VmCpuidMask vm-web01 @Connection

        $fired.Fired | Should -BeGreaterOrEqual 1
        (Get-Content -LiteralPath $vc.LogPath) -match "fault $($fault.Id) \(kill-before RetrievePropertiesEx every\): RetrievePropertiesEx on propertyCollector, occurrence 1: closed the connection" |
            Should -Not -BeNullOrEmpty
        $fired.Kind | Should -Be 'kill-before'
        $read.Name | Should -Be 'vm-web01'
        (Get-TestVCenterFault $vc -Id $fault.Id).Active | Should -BeFalse
    }

    It 'limits a fault to one VM, by name' {
        $vm = Read-TestVCenterVm $vc -Name vm-web02

        $fault = Add-TestVCenterFault $vc 'drop-answer ReconfigVM_Task on vm-web02'

        $fault.Target | Should -Be $vm.Moref
    }

    It 'refuses a fault it cannot arm, with the launcher''s reason' {
        { Add-TestVCenterFault $vc 'drop-answer ReconfigVm_Task' } | Should -Throw '*"ReconfigVm_Task" is not a vim25 method*'
    }

    It 'sets the delay at run time, and -Delay and -TaskDuration at start' {
        Set-TestVCenterLatency $vc -Delay '00:00:00.300'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $null = Get-VmCpuidMask vm-web01 @Connection
        $elapsed = $watch.Elapsed
        $slow = Start-TestVCenter -Delay '00:00:00.250' -TaskDuration '00:00:01.500'
        try {
            $status = Send-TestVCenterCommand $slow 'status'
        }
        finally {
            Stop-TestVCenter $slow
        }

        (Send-TestVCenterCommand $vc 'status').delay | Should -Be '300ms'
        $elapsed.TotalMilliseconds | Should -BeGreaterOrEqual 300
        $status.delay | Should -Be '250ms'
        $status['task-duration'] | Should -Be '1.5s'
    }
}
