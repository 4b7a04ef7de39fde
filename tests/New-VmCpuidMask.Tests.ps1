#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Hosts = Get-HostCpuid -Path $Avoton, $IvyBridge
}

Describe 'New-VmCpuidMask on the worked case' {
    BeforeAll {
        $Mask = $Hosts | New-VmCpuidMask
    }

    It 'is exactly the four lines of the write-up' {
        $Mask | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMask])
        $Mask.Lines -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
        ($Mask.ToVmx() -split "`r?`n") -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }

    It 'shows the .vmx lines as its default view' {
        $shown = ($Mask | Out-String).Trim() -split "`r?`n" | Where-Object { $_.Trim() }
        $shown -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }

    It 'explains every hidden feature' {
        ($Mask.Hidden.Feature.Name | Sort-Object) -join ',' | Should -Be ((@($AvotonOnly) + @($IvyBridgeOnly) | Sort-Object) -join ',')
        ($Mask.Hidden | Where-Object { $_.Feature.Name -eq 'MOVBE' }).Explanation | Should -Be 'missing on ivybridge-i7-3770k'
        ($Mask.Hidden | Out-String) | Should -BeLike '*Feature*Why hidden*'
    }

    It 'proves that the VM can move both ways' {
        $Mask.ProofPassed | Should -BeTrue
        $Mask.Proof.Directions.Allowed | Should -Not -Contain $false
        $Mask.Hosts -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k'
    }

    It 'offers the same hiding as named feature masks' {
        $Mask.FeatMaskLines | Should -Contain 'featMask.vm.cpuid.AVX = "Val:0"'
        $Mask.FeatMaskLines | Should -Contain 'featMask.vm.cpuid.MOVBE = "Val:0"'
        $Mask.FeatMaskLines | Should -Contain 'featMask.vm.cpuid.PCID = "Val:0"'
    }

    It 'writes plain .vmx lines with -AsVmx' {
        $lines = $Hosts | New-VmCpuidMask -AsVmx
        $lines | ForEach-Object { $_ | Should -BeOfType ([string]) }
        $lines -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }

    It 'gives the same mask with the profiles as an argument' {
        (New-VmCpuidMask -Profile $Hosts).Lines -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }
}

Describe 'New-VmCpuidMask -HideFeature' {
    It 'hides the feature and what builds on it, even where every host has it' {
        $mask = Get-HostCpuid -Path $IvyBridge | New-VmCpuidMask -HideFeature AVX

        ($mask.Hidden | Where-Object { $_.Feature.Name -eq 'AVX' }).Reason | Should -Be 'Requested'
        ($mask.Hidden | Where-Object { $_.Feature.Name -eq 'F16C' }).Reason | Should -Be 'DependsOnHidden'
        $mask.Lines | Should -Match '^cpuid\.1\.ecx = "--00'
    }

    It 'accepts aliases such as the Linux flag' {
        $mask = Get-HostCpuid -Path $IvyBridge | New-VmCpuidMask -HideFeature 'f16c'
        $mask.Hidden.Feature.Name | Should -Contain 'F16C'
    }

    It 'refuses a name the catalog does not know, suggesting close ones' {
        $thrown = { $Hosts | New-VmCpuidMask -HideFeature 'AVX9000' } | Should -Throw -ErrorId 'FeatureNotFound' -PassThru
        $thrown.Exception.Message | Should -BeLike '*AVX9000*'
    }

    It 'completes feature names with Tab' {
        $line = 'New-VmCpuidMask -HideFeature AVX51'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length

        $completion.CompletionMatches.CompletionText | Should -Contain 'AVX512F'
        $completion.CompletionMatches.CompletionText | Should -Not -Contain 'MOVBE'
    }
}

Describe 'New-VmCpuidMask with unusable hosts' {
    It 'gives an empty mask for one host' {
        $mask = Get-HostCpuid -Path $Avoton | New-VmCpuidMask
        $mask.IsEmpty | Should -BeTrue
        ($mask | Out-String) | Should -BeLike '*No mask needed*'
    }

    It 'refuses hosts of different CPU vendors (MixedVendors)' {
        $amd = Join-Path $RepoRoot 'tests/data/dumps/AuthenticAMD0800F12_K17_Zen_CPUID.txt'
        { Get-HostCpuid -Path $Avoton, $amd | New-VmCpuidMask } | Should -Throw -ErrorId 'MixedVendors'
    }
}
