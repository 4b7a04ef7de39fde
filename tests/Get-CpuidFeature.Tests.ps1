#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
}

Describe 'Get-CpuidFeature' {
    It 'finds a feature by its name, with its location' {
        $movbe = Get-CpuidFeature MOVBE

        $movbe | Should -BeOfType ([CpuidMask.Engine.Catalog.FeatureDefinition])
        $movbe.Location | Should -Be 'leaf 0x1 ecx bit 22'
        $movbe.Tracked | Should -BeTrue
    }

    It 'finds a feature by the words of a vCenter error and by its Linux flag' {
        (Get-CpuidFeature 'XSAVE YMM state').Name | Should -Be 'XSAVE_YMM'
        (Get-CpuidFeature '3dnowprefetch').Name | Should -Be 'PREFETCHW'
    }

    It 'expands wildcards, and -Tracked keeps only what vCenter compares' {
        $avx512 = Get-CpuidFeature 'AVX512*'
        $avx512.Name | Should -Contain 'AVX512F'
        (Get-CpuidFeature -Tracked).Tracked | Should -Not -Contain $false
        (Get-CpuidFeature).Count | Should -BeGreaterThan (Get-CpuidFeature -Tracked).Count
    }

    It 'reports an unknown name as FeatureNotFound and goes on with the next' {
        $found = Get-CpuidFeature 'NOPE-FEATURE', 'AVX' -ErrorVariable errors -ErrorAction SilentlyContinue

        $found.Name | Should -Be 'AVX'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FeatureNotFound,*'
        $errors[0].TargetObject | Should -Be 'NOPE-FEATURE'
        $errors[0].Exception.Message | Should -BeLike '*Get-CpuidFeature lists them.'
        $errors[0].Exception.Message | Should -Not -BeLike '*cpuidmask features*'
    }

    It 'details the features Compare-CpuidProfile reports, through the pipeline' {
        $rows = Compare-CpuidProfile (Get-HostCpuid -Path $Avoton) (Get-HostCpuid -Path $IvyBridge)

        (($rows | Get-CpuidFeature).Name | Sort-Object) -join ',' | Should -Be ((@($AvotonOnly) + @($IvyBridgeOnly) | Sort-Object) -join ',')
    }

    It 'writes each feature once' {
        (Get-CpuidFeature AVX, avx, 'AV?').Name | Should -Be 'AVX'
    }

    It 'completes names with Tab' {
        $line = 'Get-CpuidFeature MOV'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'MOVBE'
    }

    It 'shows features as a table' {
        (Get-CpuidFeature MOVBE | Out-String) | Should -BeLike '*Name*Location*Tracked*MOVBE*leaf 0x1 ecx bit 22*'
    }
}
