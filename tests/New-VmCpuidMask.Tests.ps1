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
        $thrown = { $Hosts | New-VmCpuidMask -HideFeature 'AVX9000' } | Should -Throw -ErrorId 'FeatureNotFound,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand' -PassThru
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
        { Get-HostCpuid -Path $Avoton, $amd | New-VmCpuidMask } | Should -Throw -ErrorId 'MixedVendors,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
    }
}

Describe 'New-VmCpuidMask -Baseline' {
    It 'without hosts, gives the complete mask of the mode' {
        $mask = New-VmCpuidMask -Baseline intel-westmere -WarningAction SilentlyContinue

        $mask | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMask])
        $mask.Baseline.Key | Should -Be 'intel-westmere'
        $mask.Hosts | Should -BeNullOrEmpty
        $mask.Lines | Should -Contain 'cpuid.1.ecx = "-000-0---0----0----0------------"'
        $mask.Lines | Should -Contain 'cpuid.80000001.edx = "00---00--0----------------------"'
        $mask.Hidden.Feature.Name | Should -Contain 'AVX'
        $mask.Hidden.Feature.Name | Should -Contain 'AVX512F'
        $mask.Hidden.Feature.Name | Should -Not -Contain 'AES'
    }

    It 'writes the .vmx lines with -AsVmx, warning about the subleaf key form' {
        $lines = New-VmCpuidMask -Baseline intel-westmere -AsVmx -WarningVariable warnings -WarningAction SilentlyContinue

        $lines[0] | Should -Be 'cpuid.1.ecx = "-000-0---0----0----0------------"'
        $lines | Should -Contain 'cpuid.7.1.eax = "-----0--0-0-0------000--0000----"'
        ($warnings -join ' ') | Should -BeLike '*cpuid.7.1.eax*may not honour*'
    }

    It 'warns about the subleaf key form for a mask over hosts too, naming the FeatMaskLines way' {
        $dumps = Join-Path $RepoRoot 'tests/data/dumps'
        $mask = Get-HostCpuid -Path (Join-Path $dumps 'GenuineIntel00306F2_HaswellEP_00_CPUID.txt'), (Join-Path $dumps 'GenuineIntel0050654_SkylakeXeon_CPUID2.txt') |
            New-VmCpuidMask -WarningVariable warnings -WarningAction SilentlyContinue

        $mask.Lines | Should -Contain 'cpuid.d.1.eax = "----------------------------000-"'
        ($warnings -join ' ') | Should -BeLike 'cpuid.d.1.eax uses the cpuid.<leaf>.<subleaf>.<reg> form*FeatMaskLines*'
        ($warnings -join ' ') | Should -Not -BeLike '*--format*'
    }

    It 'with hosts, hides only what they have outside the mode, and proves it' {
        $mask = $Hosts | New-VmCpuidMask -Baseline intel-westmere -WarningAction SilentlyContinue

        $mask.Lines | Should -Contain 'cpuid.1.ecx = "-000-0---0----0-----------------"'
        $mask.Hosts -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k'
        $mask.ProofPassed | Should -BeTrue
        ($mask.Hidden | Where-Object { $_.Feature.Name -eq 'MOVBE' }).Explanation | Should -Be 'not in baseline intel-westmere'
    }

    It 'refuses a mode one of the hosts does not support (BaselineNotSupported)' {
        $thrown = { $Hosts | New-VmCpuidMask -Baseline intel-haswell } | Should -Throw -ErrorId 'BaselineNotSupported,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*avoton-c2750 lacks*intel-westmere*'
    }

    It 'refuses a key the catalog does not know (BaselineNotFound)' {
        { New-VmCpuidMask -Baseline intel-nope } | Should -Throw -ErrorId 'BaselineNotFound,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
    }

    It 'does not take -HideFeature with -Baseline' {
        { New-VmCpuidMask -Baseline intel-westmere -HideFeature AVX } | Should -Throw -ErrorId 'AmbiguousParameterSet,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
    }

    It 'completes baseline keys with Tab' {
        $line = 'New-VmCpuidMask -Baseline intel-w'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'intel-westmere'
    }
}

Describe 'New-VmCpuidMask for other consumers' {
    It 'writes a libvirt <cpu> element for the hosts, on the model of their generation' {
        $xml = $Hosts | New-VmCpuidMask -AsLibvirt

        $xml | Should -BeOfType ([string])
        $cpu = ([xml]$xml).cpu
        $cpu.mode | Should -Be 'custom'
        $cpu.model.'#text' | Should -Be 'Westmere'
        $xml | Should -BeLike "*<feature policy='require' name='pclmuldq'/>*"
    }

    It 'writes the value of QEMU''s -cpu option' {
        New-VmCpuidMask -Baseline intel-westmere -AsQemu | Should -Be 'Westmere,+pclmulqdq,+vme,+rdtscp'
    }

    It 'writes the per-VM EVC HostFeatureMask entries of a mode' {
        $entries = New-VmCpuidMask -Baseline intel-haswell -AsPerVmEvc

        $entries[0] | Should -BeOfType ([CpuidMask.Engine.Export.PerVmEvcEntry])
        $entries[0].Key | Should -Be 'cpuid.Intel'
        ($entries | Where-Object Key -eq 'cpuid.AVX2').Value | Should -Be 'Val:1'
        $entries.Key | Should -Not -Contain 'cpuid.AVX512F'
        ($entries | Out-String) | Should -BeLike '*Key*Value*Kind*cpuid.Intel*Val:1*Vendor*cpuid.NUM_EXT_LEVELS*Val:0x80000008*Identity*'
    }

    It 'makes the per-VM EVC entries complete: vendor, the reference CPU''s identity, nested virtualization' {
        $entries = New-VmCpuidMask -Baseline intel-westmere -AsPerVmEvc

        $identity = $entries | Where-Object Kind -eq 'Identity'
        $identity | ForEach-Object { '{0}={1}' -f $_.Key, $_.Value } | Should -Be 'cpuid.FAMILY=Val:6', 'cpuid.MODEL=Val:0x25', 'cpuid.STEPPING=Val:1', 'cpuid.NUMLEVELS=Val:0xb', 'cpuid.NUM_EXT_LEVELS=Val:0x80000008' -Because 'vCenter''s own Westmere mask names this CPU'
        ($entries | Where-Object Kind -eq 'Virtualization').Key | Should -Be 'cpuid.VMX', 'hv.capable', 'vt.realmode'
        $entries | ForEach-Object { $_.Description | Should -Not -BeNullOrEmpty }
        (New-VmCpuidMask -Baseline amd-zen2 -AsPerVmEvc | Where-Object Kind -eq 'Virtualization').Key | Should -Be 'cpuid.SVM', 'hv.capable'
    }

    It 'takes one output switch at a time (OutputFormatConflict)' {
        { New-VmCpuidMask -Baseline intel-westmere -AsVmx -AsQemu } | Should -Throw -ErrorId 'OutputFormatConflict,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
    }
}

Describe 'New-VmCpuidMask -HardwareVersion' {
    BeforeAll {
        $Pair = Get-HostCpuid -Path $Avoton, $IvyBridge
    }

    It 'leaves alone what a VM of that version never sees, and lists it in OutOfReach' {
        $mask = $Pair | New-VmCpuidMask -HardwareVersion vmx-8
        $mask.Lines | Should -Be 'cpuid.1.ecx = "---0-0---0----------------------"', 'cpuid.d.eax = "-----------------------------00-"', 'cpuid.80000001.ecx = "-----------------------0--------"'
        $mask.HardwareVersion | Should -Be 8
        $mask.OutOfReach.Name | Should -Be 'PCID', 'F16C', 'FSGSBASE'
        $mask.OutOfReach.FirstHardwareVersion | Sort-Object -Unique | Should -Be 9
        $mask.Hidden.Feature.Name | Should -Not -Contain 'PCID'
        $mask.ProofPassed | Should -BeTrue
        $mask.Proof.HardwareVersion | Should -Be 8
    }

    It 'says in -Verbose what it left alone' {
        $verbose = $Pair | New-VmCpuidMask -HardwareVersion 8 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Contain 'Left alone: a vmx-8 VM never sees PCID (vmx-9), F16C (vmx-9), FSGSBASE (vmx-9); compute the mask again after upgrading its hardware.'
    }

    It 'is the worked case mask at the newest version, with nothing out of reach' {
        $mask = $Pair | New-VmCpuidMask -HardwareVersion 22
        $mask.Lines | Should -Be $WorkedCaseLines
        $mask.OutOfReach.Count | Should -Be 0
        ($Pair | New-VmCpuidMask).HardwareVersion | Should -Be 22
    }

    It 'leaves a baseline''s features the VM cannot see out of a complete mask' {
        $newest = New-VmCpuidMask -Baseline intel-westmere
        $old = New-VmCpuidMask -Baseline intel-westmere -HardwareVersion 14
        $old.Hidden.Feature.Name | Should -Not -Contain 'AVX512_VNNI'
        $old.OutOfReach.Name | Should -Contain 'AVX512_VNNI'
        $old.Hidden.Count + $old.OutOfReach.Count | Should -Be $newest.Hidden.Count
    }

    It 'refuses a version ESXi does not run (HardwareVersionInvalid)' {
        $err = { $Pair | New-VmCpuidMask -HardwareVersion 16 } | Should -Throw -ErrorId 'HardwareVersionInvalid,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand' -PassThru
        $err.Exception.Message | Should -BeLike '-HardwareVersion: ESXi has no virtual hardware version vmx-16.*'
    }

    It 'does not combine with -AsLibvirt, -AsQemu or -AsPerVmEvc (HardwareVersionNotApplicable)' {
        { $Pair | New-VmCpuidMask -HardwareVersion 14 -AsLibvirt } | Should -Throw -ErrorId 'HardwareVersionNotApplicable,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
        { New-VmCpuidMask -Baseline intel-westmere -HardwareVersion 14 -AsPerVmEvc } | Should -Throw -ErrorId 'HardwareVersionNotApplicable,CpuidMask.PowerShell.Commands.NewVmCpuidMaskCommand'
    }

    It 'completes -HardwareVersion in the vmx-N form when that is typed' {
        (TabExpansion2 -inputScript 'New-VmCpuidMask -HardwareVersion vmx-2' -cursorColumn 38).CompletionMatches.CompletionText | Should -Be 'vmx-22', 'vmx-21', 'vmx-20'
    }
}
