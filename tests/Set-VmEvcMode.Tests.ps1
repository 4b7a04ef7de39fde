#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
}

Describe 'Set-VmEvcMode without a vCenter' {
    It 'takes a mode with -Baseline or -Clear, not both, and not -Baseline none' {
        { Set-VmEvcMode -VM vm01 -Baseline intel-haswell -Clear -Confirm:$false } | Should -Throw -ErrorId 'AmbiguousParameterSet,CpuidMask.PowerShell.Commands.SetVmEvcModeCommand'
        { Set-VmEvcMode -VM vm01 -Baseline none -Confirm:$false } | Should -Throw -ErrorId 'BaselineNoneNeedsClear,CpuidMask.PowerShell.Commands.SetVmEvcModeCommand'
    }

    It 'has no -Force or -Replace: vSphere changes per-VM EVC only on a powered-off VM, and a mode replaces the last' {
        $command = Get-Command Set-VmEvcMode
        $command.Parameters.Keys | Should -Not -Contain 'Force'
        $command.Parameters.Keys | Should -Not -Contain 'Replace'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'completes EVC mode keys for -Baseline' {
        $line = 'Set-VmEvcMode -VM vm01 -Baseline intel-h'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'intel-haswell'
    }
}

Describe 'Set-VmEvcMode against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'applies a mode with -WhatIf only as a message' {
        $messages = Set-VmEvcMode -VM vm-app01 -Baseline intel-haswell @Connection -WhatIf -Verbose 4>&1 | Out-String

        (Get-VmCpuidMask vm-app01 @Connection).FeatureMask | Should -BeNullOrEmpty
        $messages | Should -BeLike '*own EVC mode intel-haswell*'
    }

    It 'applies the vCenter''s own mode, reads it back, leaves it alone the second time, and -Clear removes it' {
        $change = Set-VmEvcMode -VM vm-app01 -Baseline intel-haswell @Connection -Confirm:$false -PassThru

        $change | Should -BeOfType ([CpuidMask.PowerShell.VmEvcModeChange])
        $change.Status | Should -Be 'Applied'
        $change.Verified | Should -BeTrue
        $change.EvcMode | Should -Be 'intel-haswell'
        $change.Source | Should -BeLike '*own EVC mode intel-haswell*'
        $change.Previous | Should -BeNullOrEmpty
        $change.ReadBack.Count | Should -Be $change.Mask.Count
        (Get-VmCpuidMask vm-app01 @Connection).FeatureMask.Count | Should -Be $change.Mask.Count

        (Set-VmEvcMode -VM vm-app01 -Baseline intel-haswell @Connection -Confirm:$false -PassThru).Status | Should -Be 'Unchanged'

        $cleared = Set-VmEvcMode -VM vm-app01 -Clear @Connection -Confirm:$false -PassThru
        $cleared.EvcMode | Should -BeNullOrEmpty
        $cleared.ReadBack | Should -BeNullOrEmpty
        (Get-VmCpuidMask vm-app01 @Connection).FeatureMask | Should -BeNullOrEmpty
    }

    It 'computes a mode the vCenter does not offer from the baseline catalog' {
        $change = Set-VmEvcMode -VM vm-app02 -Baseline intel-sapphirerapids @Connection -Confirm:$false -PassThru

        $change.Source | Should -BeLike '*computed from*baseline catalog*'
        $change.Verified | Should -BeTrue
    }

    It 'reports each VM that cannot take per-VM EVC with its own error id, and goes on' {
        $changes = 'vm-web01', 'vm-db01', 'vm-evc02', 'vm-amd01' | Set-VmEvcMode -Baseline intel-ivybridge @Connection -Confirm:$false -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue

        $changes.VM | Should -Be 'vm-evc02'
        ($errors | Where-Object TargetObject -eq 'vm-web01').FullyQualifiedErrorId | Should -BeLike 'VmHardwareVersionTooOld,*'
        ($errors | Where-Object TargetObject -eq 'vm-db01').FullyQualifiedErrorId | Should -BeLike 'VmPoweredOn,*'
        ($errors | Where-Object TargetObject -eq 'vm-amd01').FullyQualifiedErrorId | Should -BeLike 'CpuVendorMismatch,*'
    }

    It 'refuses an EVC mode nobody knows (EvcModeNotFound)' {
        { Set-VmEvcMode -VM vm-app02 -Baseline intel-nope @Connection -Confirm:$false } | Should -Throw -ErrorId 'EvcModeNotFound,CpuidMask.PowerShell.Commands.SetVmEvcModeCommand'
    }

    It 'shows progress per VM and clears it at the end' {
        $run = Invoke-WithProgress {
            param($Connection)
            'vm-evc02', 'vm-app02' | Set-VmEvcMode -Baseline intel-haswell @Connection -WhatIf
        } @{ Connection = $Connection }

        $run.Errors | Should -BeNullOrEmpty
        $applying = $run.Progress | Where-Object Activity -eq 'Applying per-VM EVC modes'
        $applying.StatusDescription | Select-Object -First 2 | Should -Be 'vm-evc02 (1 of 2)', 'vm-app02 (2 of 2)'
        $applying[-1].RecordType | Should -Be 'Completed'
    }
}
