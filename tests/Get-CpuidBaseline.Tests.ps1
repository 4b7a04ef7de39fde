#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Hosts = Get-HostCpuid -Path $Avoton, $IvyBridge
}

Describe 'Get-CpuidBaseline: the catalog' {
    It 'lists every baseline, each vendor''s oldest first' {
        $all = Get-CpuidBaseline

        $all[0] | Should -BeOfType ([CpuidMask.Engine.Catalog.Baseline])
        $all.Count | Should -Be ([CpuidMask.Engine.Catalog.BaselineCatalog]::Default.Baselines.Count)
        $all[0].Key | Should -Be 'intel-merom'
        $all.Key | Should -Contain 'amd-zen4'
    }

    It 'finds a key, a wildcard, and takes -Name as an alias of -Key' {
        (Get-CpuidBaseline intel-westmere).Label | Should -BeLike '*Westmere*'
        (Get-CpuidBaseline 'amd-zen*').Key -join ',' | Should -Be 'amd-zen,amd-zen2,amd-zen3,amd-zen4'
        (Get-CpuidBaseline -Name INTEL-HASWELL).Key | Should -Be 'intel-haswell'
    }

    It 'keeps one vendor with -Vendor' {
        $amd = Get-CpuidBaseline -Vendor Amd

        $amd.Key | ForEach-Object { $_ | Should -BeLike 'amd-*' }
        (Get-CpuidBaseline 'intel-*' -Vendor Amd) | Should -BeNullOrEmpty
    }

    It 'reports an unknown key as BaselineNotFound and goes on with the next' {
        $found = Get-CpuidBaseline 'intel-nope', 'intel-ivybridge' -ErrorVariable errors -ErrorAction SilentlyContinue

        $found.Key | Should -Be 'intel-ivybridge'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'BaselineNotFound,*'
        $errors[0].TargetObject | Should -Be 'intel-nope'
        $errors[0].Exception.Message | Should -BeLike '*intel-westmere*'
    }

    It 'takes objects with a Key property, such as vCenter''s EVC modes, from the pipeline' {
        ([pscustomobject]@{ Key = 'intel-haswell'; Label = 'Intel "Haswell" Generation' } | Get-CpuidBaseline).Key | Should -Be 'intel-haswell'
    }

    It 'knows what each mode adds and what a VM under it sees' {
        $westmere = Get-CpuidBaseline intel-westmere

        $westmere.Extends | Should -Be 'intel-nehalem'
        $westmere.Added.Name -join ',' | Should -Be 'PCLMULQDQ,AES'
        $westmere.Features.Name | Should -Contain 'SSE42'
        $westmere.Features.Name | Should -Not -Contain 'AVX'
    }

    It 'completes keys with Tab, narrowed by -Vendor' {
        $line = 'Get-CpuidBaseline intel-s'
        $keys = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $keys | Should -Contain 'intel-sandybridge'
        $keys | Should -Contain 'intel-skylake'
        $keys | Should -Not -Contain 'intel-haswell'

        $line = 'Get-CpuidBaseline -Vendor Amd -Key '
        $keys = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $keys | Should -Contain 'amd-zen2'
        $keys | Should -Not -Contain 'intel-merom'
    }

    It 'shows baselines as a table' {
        (Get-CpuidBaseline intel-westmere | Out-String) | Should -BeLike '*Key*Vendor*Label*Features*Adds*intel-westmere*Intel*36*PCLMULQDQ, AES*'
    }
}

Describe 'Get-CpuidBaseline -Profile on the worked case' {
    BeforeAll {
        $Rows = $Hosts | Get-CpuidBaseline
    }

    It 'gives one row per host, then one for both' {
        $Rows.Count | Should -Be 3
        $Rows[0] | Should -BeOfType ([CpuidMask.PowerShell.CpuidBaselineClassification])
        $Rows.Name -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k,(all hosts)'
        $Rows.IsCommon -join ',' | Should -Be 'False,False,True'
    }

    It 'finds each host''s highest EVC mode, as vCenter would' {
        $Rows[0].HighestKey | Should -Be 'intel-westmere'
        $Rows[1].HighestKey | Should -Be 'intel-ivybridge'
    }

    It 'finds the mode both support and what keeps them from the next one up' {
        $common = $Rows | Where-Object IsCommon

        $common.HighestKey | Should -Be 'intel-westmere'
        $common.Hosts -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k'
        $common.NextUp | Should -Be 'intel-sandybridge'
        $common.MissingForNext | Should -Be 'avoton-c2750: PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM'
    }

    It 'leaves out what a host''s data cannot confirm when its mode does not need it' {
        # The i7-3770K's old dumper left out leaf 0xD subleaf 1: XSAVEOPT is unknown, and only intel-broadwell needs it.
        $Rows[1].Verified | Should -BeTrue
        $Rows[1].Unverified | Should -BeNullOrEmpty
        $Rows[1].MissingForNext | Should -Not -BeLike '*XSAVEOPT*'
    }

    It 'says what a host''s data cannot confirm' {
        $file = Join-Path $TestDrive 'broadwell-e-without-leaf-d-1.txt'
        Get-Content -LiteralPath (Join-Path $RepoRoot 'tests/data/dumps/GenuineIntel00406F1_BroadwellE_02_CPUID.txt') |
            Where-Object { -not ($_ -like 'CPUID 0000000D:*' -and $_ -like '*`[SL 01`]*') } | ForEach-Object { $_ -replace ' \[SL [0-9A-F]+\]', '' } | Set-Content -LiteralPath $file

        $row = Get-HostCpuid -Path $file | Get-CpuidBaseline

        $row.HighestKey | Should -Be 'intel-broadwell'
        $row.Verified | Should -BeFalse
        $row.Unverified | Should -Be 'XSAVEOPT'
    }

    It 'gives one row for one host' {
        $row = Get-HostCpuid -Path $Avoton | Get-CpuidBaseline

        @($row).Count | Should -Be 1
        $row.Name | Should -Be 'avoton-c2750'
        $row.IsCommon | Should -BeTrue
    }

    It 'gives each vendor its own common row, with a warning' {
        $amd = Join-Path $RepoRoot 'tests/data/dumps/AuthenticAMD0800F12_K17_Zen_CPUID.txt'

        $rows = Get-HostCpuid -Path $Avoton, $IvyBridge, $amd | Get-CpuidBaseline -WarningVariable warnings -WarningAction SilentlyContinue

        ($warnings -join ' ') | Should -BeLike '*different vendors*'
        $rows.Count | Should -Be 4
        ($rows | Where-Object Name -eq '(all GenuineIntel hosts)').HighestKey | Should -Be 'intel-westmere'
        # The one AMD host is its own common row.
        $zen = $rows | Where-Object { $_.IsCommon -and $_.Hosts.Count -eq 1 }
        $zen.HighestKey | Should -BeLike 'amd-*'
    }

    It 'gives the key New-VmCpuidMask -Baseline takes' {
        $mode = ($Rows | Where-Object IsCommon).HighestKey

        ($Hosts | New-VmCpuidMask -Baseline $mode -WarningAction SilentlyContinue).ProofPassed | Should -BeTrue
    }

    It 'shows the rows as a table' {
        ($Rows | Out-String) | Should -BeLike '*Host*Highest*Verified*Next up*Missing for it*(all hosts)*intel-westmere*'
    }

    It 'takes the profiles as an argument too' {
        (Get-CpuidBaseline -Profile $Hosts | Where-Object IsCommon).HighestKey | Should -Be 'intel-westmere'
    }
}

Describe 'Get-CpuidBaseline against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'classifies hosts read from vCenter' {
        $rows = Get-HostCpuid esx-avoton-01, esx-ivy-01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint | Get-CpuidBaseline

        ($rows | Where-Object Name -eq 'esx-avoton-01').HighestKey | Should -Be 'intel-westmere'
        ($rows | Where-Object Name -eq 'esx-ivy-01').HighestKey | Should -Be 'intel-ivybridge'
        ($rows | Where-Object IsCommon).HighestKey | Should -Be 'intel-westmere'
    }
}

Describe 'Get-CpuidBaseline -Profile -HardwareVersion' {
    BeforeAll {
        $Dumps = Join-Path $RepoRoot 'tests/data/dumps'
        $Cascade = Get-HostCpuid -Path (Join-Path $Dumps 'GenuineIntel0050656_CascadeLakeSP_CPUID.txt')
    }

    It 'classifies a Cascade Lake as intel-skylake for a vmx-14 VM, with intel-cascadelake the same to it' {
        $row = $Cascade | Get-CpuidBaseline -HardwareVersion vmx-14
        $row.HighestKey | Should -Be 'intel-skylake'
        $row.EquivalentAbove | Should -Be 'intel-cascadelake'
        $row.HardwareVersion | Should -Be 14
        ($Cascade | Get-CpuidBaseline).HighestKey | Should -Be 'intel-cascadelake'
    }

    It 'gives the worked case the same modes at the newest version as without it' {
        ($Hosts | Get-CpuidBaseline -HardwareVersion 22).HighestKey | Should -Be ($Hosts | Get-CpuidBaseline).HighestKey
    }

    It 'refuses a version ESXi does not run (HardwareVersionInvalid)' {
        { $Hosts | Get-CpuidBaseline -HardwareVersion 12 } | Should -Throw -ErrorId 'HardwareVersionInvalid,CpuidMask.PowerShell.Commands.GetCpuidBaselineCommand'
    }

    It 'takes -HardwareVersion only with profiles' {
        { Get-CpuidBaseline -Key intel-westmere -HardwareVersion 14 } | Should -Throw -ErrorId 'AmbiguousParameterSet,CpuidMask.PowerShell.Commands.GetCpuidBaselineCommand'
    }
}
