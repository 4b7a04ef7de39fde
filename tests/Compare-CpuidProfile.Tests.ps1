#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Atom = Get-HostCpuid -Path $Avoton
    $Ivy = Get-HostCpuid -Path $IvyBridge
}

Describe 'Compare-CpuidProfile with a reference and a difference profile' {
    BeforeAll {
        $Rows = @(Compare-CpuidProfile $Atom $Ivy)
    }

    It 'reports MOVBE and PREFETCHW as on the reference only (=>): they block Avoton to Ivy Bridge' {
        $forward = $Rows | Where-Object SideIndicator -eq '=>'
        ($forward.Feature | Sort-Object) -join ',' | Should -Be ($AvotonOnly -join ',')
        $forward.Source | Sort-Object -Unique | Should -Be 'avoton-c2750'
        $forward.Destination | Sort-Object -Unique | Should -Be 'ivybridge-i7-3770k'
    }

    It 'reports PCID, XSAVE, AVX, F16C, FSGSBASE and the SSE and YMM state as on the difference only (<=)' {
        $backward = $Rows | Where-Object SideIndicator -eq '<='
        ($backward.Feature | Sort-Object) -join ',' | Should -Be ($IvyBridgeOnly -join ',')
        $backward.Source | Sort-Object -Unique | Should -Be 'ivybridge-i7-3770k'
    }

    It 'marks every row as a blocker with its location and description' {
        $Rows | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.PowerShell.CpuidDifference]) }
        $Rows.Status | Sort-Object -Unique | Should -Be 'Blocker'
        ($Rows | Where-Object Feature -eq 'MOVBE').Location | Should -Be 'leaf 0x1 ecx bit 22'
        ($Rows | Where-Object Feature -eq 'PREFETCHW').Location | Should -Be 'leaf 0x80000001 ecx bit 8'
        ($Rows | Where-Object Feature -eq 'FSGSBASE').Location | Should -Be 'leaf 0x7 ebx bit 0'
        $Rows.Description | Should -Not -Contain ''
    }

    It 'compares profiles piped in as the difference, like Compare-Object' {
        $piped = @($Ivy | Compare-CpuidProfile -ReferenceProfile $Atom)
        ($piped | ForEach-Object { "$($_.SideIndicator)$($_.Feature)" }) -join ',' |
            Should -Be (($Rows | ForEach-Object { "$($_.SideIndicator)$($_.Feature)" }) -join ',')
    }

    It 'adds the differences vCenter ignores only with -IncludeInformational, never as blockers' {
        $all = Compare-CpuidProfile $Atom $Ivy -IncludeInformational
        $informational = $all | Where-Object Informational

        foreach ($name in 'OSXSAVE', 'TSC_ADJUST', 'FDP_DEPRECATED', 'XSAVE_X87') {
            $informational.Feature | Should -Contain $name
            $Rows.Feature | Should -Not -Contain $name
        }
        ($informational | Where-Object Feature -eq 'TSC_ADJUST').SideIndicator | Should -Be '=>'
        ($informational | Where-Object Feature -eq 'OSXSAVE').SideIndicator | Should -Be '<='
        $informational.Blocking | Should -Not -Contain $true
    }

    It 'finds nothing to block under the worked case mask' {
        Compare-CpuidProfile $Atom $Ivy -Mask $WorkedCaseLines | Should -BeNullOrEmpty
    }

    It 'takes the mask as lines read from a file: -Mask (Get-Content mask.vmx)' {
        # Get-Content returns an object[] whose strings are wrapped in PSObject (they carry PSPath and ReadCount).
        $file = Join-Path $TestDrive 'mask.vmx'
        Set-Content -LiteralPath $file -Value $WorkedCaseLines

        Compare-CpuidProfile $Atom $Ivy -Mask (Get-Content -LiteralPath $file) | Should -BeNullOrEmpty
        Compare-CpuidProfile $Atom $Ivy -Mask (Get-Content -LiteralPath $file | Select-Object -First 2) |
            Should -Not -BeNullOrEmpty
    }

    It 'takes the JSON of cpuidmask mask --format json, as one string (Get-Content -Raw) or as lines (Get-Content)' {
        # The engine writes the document the cpuidmask program prints.
        $file = Join-Path $TestDrive 'mask.json'
        Set-Content -LiteralPath $file -Value ([CpuidMask.Engine.Readers.MaskJson]::Write(($Atom, $Ivy | New-VmCpuidMask).Generated))

        Compare-CpuidProfile $Atom $Ivy -Mask (Get-Content -LiteralPath $file -Raw) | Should -BeNullOrEmpty
        Compare-CpuidProfile $Atom $Ivy -Mask (Get-Content -LiteralPath $file) | Should -BeNullOrEmpty
        ($Atom, $Ivy | Compare-CpuidProfile -Mask (Get-Content -LiteralPath $file -Raw))[0].Mask | Sort-Object |
            Should -Be ($WorkedCaseLines | Sort-Object)
    }

    It 'tells a file name given as -Mask to pass the file''s content instead' {
        $thrown = { Compare-CpuidProfile $Atom $Ivy -Mask 'mask.json' } |
            Should -Throw -ErrorId 'MaskInputInvalid,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike "*-Mask (Get-Content 'mask.json' -Raw)*"
    }

    It 'holds -Mask to the mask rules: vendor registers refused, unknown feature names only with -AllowUnknownFeature' {
        { Compare-CpuidProfile $Atom $Ivy -Mask 'cpuid.0.ebx = "-------------------------------0"' } |
            Should -Throw -ErrorId 'MaskKeyVendorRegister,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
        { Compare-CpuidProfile $Atom $Ivy -Mask @{ 'featMask.vm.cpuid.FAMILY' = 'Val:6' } } |
            Should -Throw -ErrorId 'MaskFeatureUnknown,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
        (Compare-CpuidProfile $Atom $Ivy -Mask @{ 'featMask.vm.cpuid.FAMILY' = 'Val:6' } -AllowUnknownFeature).Count |
            Should -Be (Compare-CpuidProfile $Atom $Ivy).Count
    }

    It 'shows rows as a table with the side indicator' {
        ($Rows | Out-String) | Should -BeLike '*Feature*SideIndicator*MOVBE*=>*'
    }
}

Describe 'Compare-CpuidProfile with profiles from the pipeline' {
    It 'checks both directions between the two hosts' {
        $checks = @($Atom, $Ivy | Compare-CpuidProfile)

        $checks.Count | Should -Be 2
        $checks[0] | Should -BeOfType ([CpuidMask.PowerShell.CpuidMigrationCheck])
        $fromAtom = $checks | Where-Object Source -eq 'avoton-c2750'
        $fromAtom.Destination | Should -Be 'ivybridge-i7-3770k'
        $fromAtom.Allowed | Should -BeFalse
        ($fromAtom.Blockers | Sort-Object) -join ',' | Should -Be ($AvotonOnly -join ',')
        (($checks | Where-Object Source -eq 'ivybridge-i7-3770k').Blockers | Sort-Object) -join ',' | Should -Be ($IvyBridgeOnly -join ',')
    }

    It 'allows both directions under the mask New-VmCpuidMask computes' {
        $mask = $Atom, $Ivy | New-VmCpuidMask
        $checks = $Atom, $Ivy | Compare-CpuidProfile -Mask $mask

        $checks.Allowed | Should -Not -Contain $false
        $checks[0].Mask -join "`n" | Should -Be ($mask.Lines -join "`n")
    }

    It 'lists the ignored differences per direction with -IncludeInformational' {
        $checks = $Atom, $Ivy | Compare-CpuidProfile -IncludeInformational

        ($checks | Where-Object Source -eq 'avoton-c2750').Informational | Should -Contain 'TSC_ADJUST'
        ($checks | Where-Object Source -eq 'ivybridge-i7-3770k').Informational | Should -Contain 'OSXSAVE'
    }

    It 'needs at least two profiles (TooFewProfiles)' {
        { $Atom | Compare-CpuidProfile } | Should -Throw -ErrorId 'TooFewProfiles,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
    }

    It 'refuses two profiles with the same name (ProfileNameDuplicate)' {
        { $Atom, $Atom | Compare-CpuidProfile } | Should -Throw -ErrorId 'ProfileNameDuplicate,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
    }

    It 'refuses a -Mask that is not a mask before comparing (MaskInputInvalid)' {
        { $Atom, $Ivy | Compare-CpuidProfile -Mask 42 } | Should -Throw -ErrorId 'MaskInputInvalid,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
    }
}

Describe 'Compare-CpuidProfile over many hosts of few CPUs' {
    BeforeAll {
        # Thirty hosts of two CPUs, as Get-VMHost | Get-HostCpuid gives them: two classes, two directions.
        $Many = foreach ($i in 1..30) {
            if ($i % 3) { $Ivy.WithName(('esx{0:D2}' -f $i)) } else { $Atom.WithName(('esx{0:D2}' -f $i)) }
        }
        $Results = @($Many | Compare-CpuidProfile)
    }

    It 'writes one result per pair of classes, each naming every host it stands for' {
        $Results.Count | Should -Be 2
        $Results[0].Source | Should -Be 'esx01 (+19 alike)'
        $Results[0].SourceHosts.Count | Should -Be 20
        $Results[0].DestinationHosts | Should -Be @('esx03', 'esx06', 'esx09', 'esx12', 'esx15', 'esx18', 'esx21', 'esx24', 'esx27', 'esx30')
        ($Results[0].Blockers | Sort-Object) -join ',' | Should -Be ($IvyBridgeOnly -join ',')
        $Results | ForEach-Object { $_.Allowed | Should -BeFalse }
    }

    It 'writes every pair of hosts with -PerPair' {
        $pairs = @($Many | Compare-CpuidProfile -PerPair)
        $pairs.Count | Should -Be (30 * 29)
        ($pairs | Where-Object { $_.Source -eq 'esx01' -and $_.Destination -eq 'esx02' }).Allowed | Should -BeTrue
        ($pairs | Where-Object { $_.Source -eq 'esx03' -and $_.Destination -eq 'esx01' }).Blockers -join ',' | Should -Be 'MOVBE; PREFETCHW'.Replace('; ', ',')
        @($pairs | Where-Object { -not $_.Allowed }).Count | Should -Be (2 * 20 * 10)
    }

    It 'writes nothing for hosts that all offer the same features, and says so with -Verbose' {
        $same = @($Ivy.WithName('a'), $Ivy.WithName('b'), $Ivy.WithName('c'))
        $verbose = $same | Compare-CpuidProfile -Verbose 4>&1
        @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Match 'All 3 hosts offer the same tracked features'
        @($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Count | Should -Be 0
    }

    It 'exports one CSV row per class direction with the hosts joined' {
        $csv = $Results | Select-Object Source, DestinationHosts | ConvertTo-Csv -NoTypeInformation
        $csv[2] | Should -Match '"esx03 \(\+9 alike\)","esx01; esx02; esx04'
    }
}

Describe 'Compare-CpuidProfile -HardwareVersion' {
    It 'lets PCID, F16C and FSGSBASE no longer block a vmx-8 VM, as OutOfReach rows' {
        $rows = @(Compare-CpuidProfile $Atom $Ivy -HardwareVersion vmx-8)
        ($rows | Where-Object Status -eq 'Blocker').Feature | Sort-Object | Should -Be 'AVX', 'MOVBE', 'PREFETCHW', 'XSAVE', 'XSAVE_SSE', 'XSAVE_YMM'
        $beyond = @($rows | Where-Object Status -eq 'OutOfReach')
        $beyond.Feature | Should -Be 'PCID', 'F16C', 'FSGSBASE'
        $beyond.SideIndicator | Sort-Object -Unique | Should -Be '<='
        $beyond.Blocking | Sort-Object -Unique | Should -Be $false
        $beyond[0].Reason | Should -Be 'avoton-c2750 lacks it, but ESXi first exposes it in vmx-9, so a vmx-8 VM never sees it'
    }

    It 'takes 8 and vmx-8 alike, and gives the same rows as no -HardwareVersion at the newest version' {
        $plain = @(Compare-CpuidProfile $Atom $Ivy -HardwareVersion 8 | ForEach-Object { "$($_.SideIndicator)$($_.Feature)$($_.Status)" })
        $plain -join ',' | Should -Be (@(Compare-CpuidProfile $Atom $Ivy -HardwareVersion VMX-8 | ForEach-Object { "$($_.SideIndicator)$($_.Feature)$($_.Status)" }) -join ',')
        $newest = @(Compare-CpuidProfile $Atom $Ivy -HardwareVersion 22 | ForEach-Object { "$($_.SideIndicator)$($_.Feature)$($_.Status)" })
        $newest -join ',' | Should -Be (@(Compare-CpuidProfile $Atom $Ivy | ForEach-Object { "$($_.SideIndicator)$($_.Feature)$($_.Status)" }) -join ',')
    }

    It 'gives each direction its OutOfReach features and the version with -Profile' {
        $checks = @($Atom, $Ivy | Compare-CpuidProfile -HardwareVersion 8)
        $down = $checks | Where-Object Source -eq 'ivybridge-i7-3770k'
        $down.OutOfReach | Should -Be 'PCID', 'F16C', 'FSGSBASE'
        $down.Blockers | Sort-Object | Should -Be 'AVX', 'XSAVE', 'XSAVE_SSE', 'XSAVE_YMM'
        $checks.HardwareVersion | Sort-Object -Unique | Should -Be 8
        @($Atom, $Ivy | Compare-CpuidProfile).HardwareVersion | Sort-Object -Unique | Should -Be 22
        @($Atom, $Ivy | Compare-CpuidProfile).OutOfReach.Count | Should -Be 0
    }

    It 'refuses a version ESXi does not run, naming the parameter and the versions (HardwareVersionInvalid)' {
        $err = { Compare-CpuidProfile $Atom $Ivy -HardwareVersion 12 } | Should -Throw -ErrorId 'HardwareVersionInvalid,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand' -PassThru
        $err.Exception.Message | Should -BeLike '-HardwareVersion: ESXi has no virtual hardware version vmx-12.*one of 4, 7, 8, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20, 21, 22.'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be '12'
        { $Atom, $Ivy | Compare-CpuidProfile -HardwareVersion 'vmx-99' } | Should -Throw -ErrorId 'HardwareVersionInvalid,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
        { Compare-CpuidProfile $Atom $Ivy -HardwareVersion '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,CpuidMask.PowerShell.Commands.CompareCpuidProfileCommand'
    }

    It 'completes -HardwareVersion with the versions ESXi runs, newest first' {
        $matches = (TabExpansion2 -inputScript 'Compare-CpuidProfile -HardwareVersion 1' -cursorColumn 39).CompletionMatches
        $matches.CompletionText | Should -Be '19', '18', '17', '15', '14', '13', '11', '10'
        ($matches | Where-Object CompletionText -eq '14').ToolTip | Should -Be 'vmx-14 (ESXi 6.7)'
    }
}
