#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Every default view of CpuidMask.Format.ps1xml rendered with Out-String -Width 80 and 120, under the invariant
# culture (LANG=C: PowerShell cuts a cell at its last column) and under en-US (PowerShell wraps at spaces):
# no line is wider than the console, every header is there, and every value reads whole: each cell's lines
# joined give the value's words, and lines (.vmx lines, EVC mode keys) that must stay whole are lines of the cell.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)

    # Renderings: each width under a culture where PowerShell wraps cells at spaces and one where it does not.
    $Renderings = foreach ($width in 80, 120) {
        @{ Width = $width; Culture = ''; CultureName = 'the invariant culture' }
        @{ Width = $width; Culture = 'en-US'; CultureName = 'en-US' }
    }

    # Test-VmCpuidMask's row: the hosts it cannot move to, else those it could not check.
    $ComplianceRow = {
        $cannot = if ($_.CannotMoveTo.Count) { $_.CannotMoveTo -join ', ' } elseif ($_.UnknownHosts.Count) { 'unknown: ' + ($_.UnknownHosts -join ', ') } else { '' }
        [ordered]@{ Name = $_.Name; Status = $_.Status; VMHost = $_.VMHost; CannotMoveTo = $cannot }
    }

    # One case per view and way of reaching it. Source names what BeforeAll collects; Expect gives, for one
    # object, each header (list label) with the value it must show: a string is compared word by word, an
    # array must also show each element whole on one line.
    $Cases = @(
        @{
            Title = 'Get-HostCpuid'; Source = 'Profiles'; Layout = 'Table'; View = 'CpuidMask.Engine.Model.CpuidProfile'
            Expect = { [ordered]@{ Name = $_.Name; Vendor = $_.Vendor; Family = '0x{0:X}' -f $_.Family; Model = '0x{0:X}' -f $_.Model; Stepping = "$($_.Stepping)"; Brand = $_.Brand } }
        }
        @{
            Title = 'Get-HostCpuid -VMHost'; Source = 'VMHostProfiles'; Layout = 'Table'; View = 'CpuidMask.Engine.Model.CpuidProfile'; Simulator = $true
            Expect = { [ordered]@{ Name = $_.Name; Vendor = $_.Vendor; Family = '0x{0:X}' -f $_.Family; Model = '0x{0:X}' -f $_.Model; Stepping = "$($_.Stepping)"; Brand = $_.Brand } }
        }
        @{
            Title = 'Get-CpuidFeature'; Source = 'Features'; Layout = 'Table'; View = 'CpuidMask.Engine.Catalog.FeatureDefinition'
            Expect = { [ordered]@{ Name = $_.Name; Location = $_.Location; Tracked = "$($_.Tracked)"; vSphere = "$($_.VSphereKey)" } }
        }
        @{
            Title = 'Compare-CpuidProfile -ReferenceProfile -DifferenceProfile'; Source = 'Differences'; Layout = 'Table'; View = 'CpuidMask.PowerShell.CpuidDifference'
            Expect = { [ordered]@{ Feature = $_.Feature; SideIndicator = $_.SideIndicator; Status = $_.Status; Destination = $_.Destination } }
        }
        @{
            Title = 'Compare-CpuidProfile -Profile'; Source = 'MigrationChecks'; Layout = 'Table'; View = 'CpuidMask.PowerShell.CpuidMigrationCheck'
            Expect = { [ordered]@{ Source = $_.Source; Destination = $_.Destination; Allowed = "$($_.Allowed)"; Blockers = if ($_.VendorMismatch) { '(CPU vendors differ)' } else { $_.Blockers -join ', ' } } }
        }
        @{
            Title = 'New-VmCpuidMask'; Source = 'Mask'; Layout = 'Custom'
            Expect = { , $_.Lines }
        }
        @{
            Title = 'New-VmCpuidMask on hosts that need no mask'; Source = 'EmptyMask'; Layout = 'Custom'
            Expect = { "# No mask needed: $($_.Hosts -join ', ') offer the same features vCenter compares." }
        }
        @{
            Title = 'New-VmCpuidMask .Hidden'; Source = 'Hidden'; Layout = 'Table'; View = 'CpuidMask.Engine.Analysis.HiddenFeature'
            Expect = { [ordered]@{ Feature = $_.Feature.Name; Location = , $_.Feature.Location; 'Why hidden' = $_.Explanation } }
        }
        @{
            Title = 'New-VmCpuidMask -Baseline .Hidden'; Source = 'BaselineHidden'; Layout = 'Table'; View = 'CpuidMask.Engine.Analysis.HiddenFeature'
            Expect = { [ordered]@{ Feature = $_.Feature.Name; Location = , $_.Feature.Location; 'Why hidden' = $_.Explanation } }
        }
        @{
            Title = 'New-VmCpuidMask .Proof'; Source = 'Proof'; Layout = 'List'
            Expect = {
                [ordered]@{
                    Passed     = "$($_.Passed)"
                    Hosts      = @($_.Hosts | ForEach-Object { '{0}: {1} tracked features visible' -f $_.HostName, $_.GuestFeatures.Count })
                    Directions = @($_.Directions | ForEach-Object { $_.ToString() }) -join ' '
                    Unverified = @($_.Unverified | ForEach-Object { '{0} on {1}' -f $_.Name, $_.MissingOn }) -join ', '
                }
            }
        }
        @{
            Title = 'New-VmCpuidMask .Proof.Directions'; Source = 'Directions'; Layout = 'Table'; View = 'CpuidMask.Engine.Analysis.MigrationCheck'
            Expect = { [ordered]@{ Source = $_.Source; Destination = $_.Destination; Allowed = "$($_.Allowed)"; Blockers = if ($_.VendorMismatch) { '(CPU vendors differ)' } else { @($_.Blockers | ForEach-Object { $_.Name }) -join ', ' } } }
        }
        @{
            Title = 'New-VmCpuidMask .Mask'; Source = 'VmMask'; Layout = 'Custom'
            Expect = { , @($_.ToVmxLines()) }
        }
        @{
            Title = 'New-VmCpuidMask -Baseline -AsPerVmEvc'; Source = 'PerVmEvcEntries'; Layout = 'Table'; View = 'CpuidMask.Engine.Export.PerVmEvcEntry'
            Expect = { [ordered]@{ Key = $_.Key; Value = $_.Value; Kind = "$($_.Kind)" } }
        }
        @{
            Title = 'Get-CpuidBaseline'; Source = 'Baselines'; Layout = 'Table'; View = 'CpuidMask.Engine.Catalog.Baseline'
            Expect = {
                $adds = @()
                if ($_.Added.Count) { $adds += @($_.Added | ForEach-Object { $_.Name }) -join ', ' }
                if ($_.Removed.Count) { $adds += 'drops ' + (@($_.Removed | ForEach-Object { $_.Name }) -join ', ') }
                [ordered]@{ Key = $_.Key; Vendor = if ($_.Vendor -eq 'Intel') { 'Intel' } else { 'AMD' }; Label = $_.Label; Features = "$($_.Features.Count)"; Adds = $adds -join '; ' }
            }
        }
        @{
            Title = 'Get-CpuidBaseline -Profile'; Source = 'Classifications'; Layout = 'List'
            Expect = {
                $entry = [ordered]@{ Host = $_.Name; Highest = if ($_.HighestKey) { $_.HighestKey } else { '(none)' }; Verified = "$($_.Verified)" }
                if ($_.Unverified.Count) { $entry.Unverified = $_.Unverified -join ' ' }
                $entry.'Next up' = $_.NextUp
                $entry.'Missing for it' = $_.MissingForNext -join ' '
                if ($_.Note) { $entry.Note = $_.Note }
                $entry
            }
        }
        @{
            Title = 'Get-VmCpuidMask'; Source = 'VmMaskInfos'; Layout = 'List'; Simulator = $true
            Expect = {
                $entry = [ordered]@{ Name = $_.Name; PowerState = $_.PowerState; Version = $_.HardwareVersion; VMHost = $_.VMHost; Masks = if ($_.HasMask) { $_.Lines } else { '(none)' } }
                if ($_.FeatureMask.Count) { $entry.PerVmEvc = "$($_.FeatureMask.Count) featureMask entries" }
                $entry
            }
        }
        @{
            Title = 'Set-VmCpuidMask -PassThru'; Source = 'MaskChanges'; Layout = 'Table'; View = 'CpuidMask.PowerShell.VmCpuidMaskChange'; Simulator = $true
            Expect = {
                $set = @($_.Changes | Where-Object { $null -ne $_.NewValue } | ForEach-Object { $_.Key })
                $removed = @($_.Changes | Where-Object { $null -eq $_.NewValue } | ForEach-Object { $_.Key })
                $changes = @()
                if ($set.Count) { $changes += $set -join ', ' }
                if ($removed.Count) { $changes += 'removed ' + ($removed -join ', ') }
                [ordered]@{ VM = $_.VM; Mode = $_.Mode; Applied = "$($_.Applied)"; Verified = "$($_.Verified)"; Changes = if ($changes.Count) { $changes -join '; ' } else { '(none)' } }
            }
        }
        @{
            Title = 'Set-VmCpuidMask -PassThru .Changes'; Source = 'KeyChanges'; Layout = 'List'; Simulator = $true
            Expect = {
                [ordered]@{
                    Key           = $_.Key
                    PreviousValue = if ($null -eq $_.PreviousValue) { '(absent)' } else { , $_.PreviousValue }
                    NewValue      = if ($null -eq $_.NewValue) { '(removed)' } else { , $_.NewValue }
                }
            }
        }
        @{
            Title = 'Set-VmEvcMode -PassThru'; Source = 'EvcChanges'; Layout = 'Table'; View = 'CpuidMask.PowerShell.VmEvcModeChange'; Simulator = $true
            Expect = { [ordered]@{ VM = $_.VM; EvcMode = if ($_.EvcMode) { $_.EvcMode } else { '(cleared)' }; Status = $_.Status; Verified = "$($_.Verified)"; FeatureMask = "$($_.Mask.Count)"; Before = "$($_.Previous.Count)" } }
        }
        @{
            Title = 'Test-VmCpuidMask -Scope AllHosts'; Source = 'Compliance'; Layout = 'Table'; View = 'CpuidMask.PowerShell.VmCpuidCompliance'; Simulator = $true
            Expect = $ComplianceRow
        }
        @{
            Title = 'Test-VmCpuidMask on VMs of every status'; Source = 'ComplianceStatuses'; Layout = 'Table'; View = 'CpuidMask.PowerShell.VmCpuidCompliance'; Simulator = $true
            Expect = $ComplianceRow
        }
        @{
            Title = 'Test-VmCpuidMask -SnapshotPath'; Source = 'Drifts'; Layout = 'List'; Simulator = $true
            Expect = { [ordered]@{ HostName = $_.HostName; Lost = $_.Lost -join ', '; Gained = $_.Gained -join ', '; BlockedVms = $_.BlockedVms -join ', ' } }
        }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest

    $Format = [xml](Get-Content -LiteralPath (Join-Path $RepoRoot 'CpuidMask.Format.ps1xml') -Raw)

    function Get-TableColumn {
        # The columns of a table view as the format file defines them: label and fixed width (0: the rest).
        param([string] $View)
        $table = $Format.Configuration.ViewDefinitions.View | Where-Object { $_.Name -eq $View } | ForEach-Object { $_.TableControl }
        if (-not $table) { throw "CpuidMask.Format.ps1xml has no table view $View." }
        foreach ($header in $table.TableHeaders.TableColumnHeader) {
            [pscustomobject]@{ Label = $header.Label; Width = if ($header.Width) { [int]$header.Width } else { 0 } }
        }
    }

    function Out-View {
        # The objects as Out-String shows them at a width, under a culture ('' for the invariant culture),
        # as lines without the blank lines around them.
        param($InputObject, [int] $Width, [string] $Culture)
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = if ($Culture) { [cultureinfo]::new($Culture) } else { [cultureinfo]::InvariantCulture }
            $text = $InputObject | Out-String -Width $Width
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
        $lines = @(($text -replace "`r", '') -split "`n")
        $first = 0
        while ($first -lt $lines.Count -and -not $lines[$first].Trim()) { $first++ }
        $last = $lines.Count - 1
        while ($last -ge $first -and -not $lines[$last].Trim()) { $last-- }
        if ($last -lt $first) { return , @() }
        , $lines[$first..$last]
    }

    function Read-Table {
        # Rows of a rendered table: an ordered dictionary per row, header label -> the cell's lines (trimmed).
        # Columns start where the format file's widths put them (one space between columns); a row starts on
        # a line whose first column is not blank.
        param([string[]] $Lines, [object[]] $Columns)
        $count = $Columns.Count
        $starts = [int[]]::new($count + 1)
        for ($k = 0; $k -lt $count; $k++) { $starts[$k + 1] = $starts[$k] + $Columns[$k].Width + 1 }
        $starts[$count] = [int]::MaxValue
        $split = {
            param([string] $line)
            for ($k = 0; $k -lt $count; $k++) {
                if ($line.Length -le $starts[$k]) { '' }
                else { $line.Substring($starts[$k], [Math]::Min($starts[$k + 1], $line.Length) - $starts[$k]).Trim() }
            }
        }
        $rows = [System.Collections.Generic.List[object]]::new()
        foreach ($line in $Lines[2..($Lines.Count - 1)]) {
            if (-not $line.Trim()) { continue }
            $cells = @(& $split $line)
            if ($cells[0] -or $rows.Count -eq 0) {
                $row = [ordered]@{}
                foreach ($column in $Columns) { $row[$column.Label] = [System.Collections.Generic.List[string]]::new() }
                $rows.Add($row)
            }
            for ($k = 0; $k -lt $count; $k++) {
                if ($cells[$k]) { $rows[-1][$Columns[$k].Label].Add($cells[$k]) }
            }
        }
        [pscustomobject]@{ Header = @(& $split $Lines[0]); Rule = $Lines[1]; Rows = $rows }
    }

    function Read-List {
        # Entries of a rendered list: an ordered dictionary per entry, label -> the value's lines (trimmed).
        param([string[]] $Lines)
        $entries = [System.Collections.Generic.List[object]]::new()
        $entry = $null
        $labelWidth = 0
        $label = $null
        foreach ($line in $Lines) {
            if (-not $line.Trim()) { $entry = $null; continue }
            if (-not $entry) {
                $entry = [ordered]@{}
                $entries.Add($entry)
                $labelWidth = $line.IndexOf(' : ')
            }
            if ($line[0] -ne ' ') {
                $label = $line.Substring(0, $labelWidth).TrimEnd()
                $entry[$label] = [System.Collections.Generic.List[string]]::new()
            }
            $value = if ($line.Length -gt $labelWidth + 3) { $line.Substring($labelWidth + 3).Trim() } else { '' }
            if ($value) { $entry[$label].Add($value) }
        }
        , $entries
    }

    function Get-Word {
        param([string[]] $Text)
        , @(($Text -join ' ').Trim() -split '\s+' -ne '')
    }

    function Test-Row {
        # What is wrong with one row or entry: each cell's lines must hold the expected value's words, none
        # cut, and an array's elements must each be one of the cell's lines. Nothing when it is right.
        param($Shown, $Expected, [string] $Where)
        foreach ($label in $Expected.Keys) {
            $value = $Expected[$label]
            $cell = @($Shown[$label])
            $shownWords = (($cell -join ' ').Trim() -split '\s+') -join ' '
            $expectedWords = ((@(foreach ($element in $value) { "$element" }) -join ' ').Trim() -split '\s+') -join ' '
            if ($shownWords -cne $expectedWords) {
                "${Where}, ${label}: shows '$($cell -join ' / ')' for '$expectedWords'"
            }
            if ($value -is [array]) {
                foreach ($element in $value) {
                    if ($cell -cnotcontains "$element") { "${Where}, ${label}: '$element' is not whole on one line" }
                }
            }
        }
    }

    $Objects = @{}
    $AvotonProfile = Get-HostCpuid -Path $Avoton
    $IvyProfile = Get-HostCpuid -Path $IvyBridge

    # Real dumps under host-like names (a dump's file name is its profile's name); the last is the Avoton
    # sample again, for a pair of hosts that needs no mask.
    $DumpFolder = Join-Path ([IO.Path]::GetTempPath()) ('cpuidmask-views-' + [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Path $DumpFolder
    $dumps = @{
        'haswell-e5-2630v3'  = Join-Path $RepoRoot 'tests/data/dumps/GenuineIntel00306F2_HaswellEP_00_CPUID.txt'
        'skylake-gold-6130'  = Join-Path $RepoRoot 'tests/data/dumps/GenuineIntel0050654_SkylakeXeon_CPUID2.txt'
        'epyc-rome-7402p'    = Join-Path $RepoRoot 'tests/data/dumps/AuthenticAMD0830F10_K17_Rome_CPUID2.txt'
        'zhaoxin-kx40000'    = Join-Path $RepoRoot 'tests/data/dumps/CentaurHauls00507B3_KX40000_01_CPUID.txt'
        'esx-avoton-rack-07' = $Avoton
    }
    $Dump = @{}
    foreach ($name in $dumps.Keys) {
        $copy = Join-Path $DumpFolder "$name.txt"
        Copy-Item -LiteralPath $dumps[$name] -Destination $copy
        $Dump[$name] = Get-HostCpuid -Path $copy
    }

    $Objects.Profiles = @($AvotonProfile, $IvyProfile, $Dump['haswell-e5-2630v3'], $Dump['skylake-gold-6130'], $Dump['epyc-rome-7402p'], $Dump['zhaoxin-kx40000'])
    # Every feature of the catalog whose name fits the Name column; the last test checks that every tracked one does.
    $Objects.Features = @(Get-CpuidFeature | Where-Object { $_.Name.Length -le 20 })
    $Objects.Differences = @(Compare-CpuidProfile -ReferenceProfile $AvotonProfile -DifferenceProfile $IvyProfile, $Dump['haswell-e5-2630v3'] -IncludeInformational)
    $Objects.MigrationChecks = @(Compare-CpuidProfile -Profile $AvotonProfile, $IvyProfile, $Dump['haswell-e5-2630v3'], $Dump['epyc-rome-7402p'] -WarningAction SilentlyContinue)
    $worked = New-VmCpuidMask -Profile $AvotonProfile, $IvyProfile
    $Objects.Mask = @($worked)
    $Objects.EmptyMask = @(New-VmCpuidMask -Profile $AvotonProfile, $Dump['esx-avoton-rack-07'])
    $several = New-VmCpuidMask -Profile $AvotonProfile, $IvyProfile, $Dump['haswell-e5-2630v3'], $Dump['skylake-gold-6130'] -WarningAction SilentlyContinue
    $Objects.Hidden = @($several.Hidden)
    $Objects.BaselineHidden = @((New-VmCpuidMask -Baseline intel-haswell -Profile $Dump['skylake-gold-6130'] -WarningAction SilentlyContinue).Hidden)
    $Objects.Proof = @($worked.Proof, $several.Proof)
    $Objects.Directions = @($several.Proof.Directions) + @(Compare-CpuidProfile -Profile $AvotonProfile, $Dump['epyc-rome-7402p'] -WarningAction SilentlyContinue | ForEach-Object { $_.Check })
    $Objects.VmMask = @($worked.Mask)
    $Objects.PerVmEvcEntries = @(New-VmCpuidMask -Baseline intel-sapphirerapids -AsPerVmEvc)
    $Objects.Baselines = @(Get-CpuidBaseline)
    # A Broadwell dump as old dumpers wrote them (no [SL nn] tags, no leaf 0xD subleaf 1): its mode's XSAVEOPT is unverified.
    $broadwell = Join-Path $DumpFolder 'broadwell-e-old-dumper.txt'
    Get-Content -LiteralPath (Join-Path $RepoRoot 'tests/data/dumps/GenuineIntel00406F1_BroadwellE_02_CPUID.txt') |
        Where-Object { -not ($_ -like 'CPUID 0000000D:*' -and $_ -like '*`[SL 01`]*') } | ForEach-Object { $_ -replace ' \[SL [0-9A-F]+\]', '' } | Set-Content -LiteralPath $broadwell
    $Objects.Classifications = @(Get-CpuidBaseline -Profile $AvotonProfile, $IvyProfile, $Dump['haswell-e5-2630v3'], (Get-HostCpuid -Path $broadwell), $Dump['epyc-rome-7402p'], $Dump['zhaoxin-kx40000'] -WarningAction SilentlyContinue)

    $VCenter = $null
    $ComplianceVCenter = $null
    if (Get-SimulatorPath) {
        $VCenter = Start-TestVCenter
        $connection = @{ Server = $VCenter.Url; Credential = $VCenter.Credential; Thumbprint = $VCenter.Thumbprint }
        $Objects.VMHostProfiles = @(Get-HostCpuid -VMHost esx-avoton-01, esx-ivy-01, esx-haswell-01, esx-skylake-01, esx-epyc-01 @connection)
        # vm-view01 has raw and named masks, vm-view02 none, vm-view04 a per-VM EVC mode (tests/vcsim inventory).
        $Objects.VmMaskInfos = @(Get-VmCpuidMask 'vm-view*' @connection)
        $replaced = Set-VmCpuidMask -VM vm-view01 -Mask $WorkedCaseLines -Replace @connection -Confirm:$false -PassThru
        $undone = Set-VmCpuidMask -Undo $replaced @connection -Confirm:$false -PassThru
        $merged = Set-VmCpuidMask -VM vm-view02 -Mask $worked @connection -Confirm:$false -PassThru
        $Objects.MaskChanges = @($replaced, $undone, $merged)
        $Objects.KeyChanges = @($replaced.Changes)
        $Objects.EvcChanges = @(
            Set-VmEvcMode -VM vm-view03 -Baseline intel-haswell @connection -Confirm:$false -PassThru
            Set-VmEvcMode -VM vm-view04 -Clear @connection -Confirm:$false -PassThru
        )
        # Host names that a 24-column cell cuts inside words, and one VM whose only note is an unknown host.
        $Objects.Compliance = @(Test-VmCpuidMask -VM vm-web01, vm-db01, vm-app01, vm-amd01 -Scope AllHosts @connection -WarningAction SilentlyContinue)

        # tests/vcsim/compliance.json: one VM per status, and a host whose features changed since a snapshot
        # (as in tests/Test-VmCpuidMask.Tests.ps1: esx-dev-haswell saved as the Cascade Lake it is not).
        $ComplianceVCenter = Start-TestVCenter -InventoryFile compliance.json
        $compliance = @{ Server = $ComplianceVCenter.Url; Credential = $ComplianceVCenter.Credential; Thumbprint = $ComplianceVCenter.Thumbprint }
        $Objects.ComplianceStatuses = @(Test-VmCpuidMask @compliance -WarningAction SilentlyContinue)
        $snapshot = Join-Path $DumpFolder 'hosts.json'
        Get-HostCpuid esx-dev-cascade @compliance -WarningAction SilentlyContinue | Export-CpuidProfile -Path $snapshot
        (Get-Content -LiteralPath $snapshot -Raw).Replace('"esx-dev-cascade"', '"esx-dev-haswell"') | Set-Content -LiteralPath $snapshot
        $Objects.Drifts = @(Test-VmCpuidMask vm-dev-unmasked, vm-twin-ok -SnapshotPath $snapshot @compliance -WarningAction SilentlyContinue |
            Where-Object { $_ -is [CpuidMask.PowerShell.CpuidHostDrift] })
    }
}

AfterAll {
    Stop-TestVCenter $VCenter
    Stop-TestVCenter $ComplianceVCenter
    if ($DumpFolder) { Remove-Item -LiteralPath $DumpFolder -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The test harness' {
    It 'switches PowerShell''s wrapping with the culture: inside words under the invariant culture, at spaces under en-US' {
        $row = [pscustomobject]@{ Text = 'alpha beta gamma delta' }

        (Out-View ($row | Format-Table -Wrap @{ Label = 'Text'; Expression = { $_.Text }; Width = 8 }) -Width 80 -Culture '').TrimEnd() | Should -Contain 'alpha be'
        (Out-View ($row | Format-Table -Wrap @{ Label = 'Text'; Expression = { $_.Text }; Width = 8 }) -Width 80 -Culture 'en-US').TrimEnd() | Should -Contain 'alpha'
    }

    It 'has objects with something to wrap in every view it checks' {
        foreach ($name in 'Profiles', 'Features', 'Differences', 'MigrationChecks', 'Hidden', 'Proof', 'Baselines', 'Classifications', 'PerVmEvcEntries') {
            $Objects[$name].Count | Should -BeGreaterThan 1 -Because "$name has rows"
        }
        $Objects.EmptyMask[0].IsEmpty | Should -BeTrue
        @($Objects.Classifications | Where-Object Note).Count | Should -Be 1
        @($Objects.Classifications | Where-Object { $_.Unverified.Count }).Count | Should -BeGreaterThan 0
        @($Objects.MigrationChecks | Where-Object VendorMismatch).Count | Should -BeGreaterThan 0
    }

    It 'has vCenter results of every kind: masks read, written, replaced and undone, per-VM EVC applied and cleared' -Skip:(-not $HasSimulator) {
        @($Objects.VmMaskInfos.Name) | Should -Be 'vm-view01', 'vm-view02', 'vm-view03', 'vm-view04'
        @($Objects.VmMaskInfos | Where-Object { $_.FeatureMask.Count }).Name | Should -Be 'vm-view04'
        @($Objects.MaskChanges.Mode) | Should -Be 'Replace', 'Undo', 'Merge'
        @($Objects.MaskChanges | Where-Object { $_.Applied -and $_.Verified }).Count | Should -Be 3
        @($Objects.KeyChanges | Where-Object { $null -eq $_.NewValue }).Key | Should -Be 'featMask.vm.cpuid.FSGSBASE'
        @($Objects.KeyChanges | Where-Object { $null -ne $_.PreviousValue -and $null -ne $_.NewValue }).Key | Should -Be 'cpuid.1.ecx'
        @($Objects.EvcChanges | ForEach-Object { "$($_.VM) $($_.EvcMode) $($_.Status)" }) | Should -Be 'vm-view03 intel-haswell Applied', 'vm-view04  Applied'
        @($Objects.Compliance | Where-Object { $_.CannotMoveTo.Count -gt 2 }).Count | Should -BeGreaterThan 0
        @($Objects.Compliance | Where-Object { $_.UnknownHosts.Count -and -not $_.CannotMoveTo.Count }).Name | Should -Be 'vm-amd01'
        @($Objects.ComplianceStatuses.Status | Sort-Object -Unique) | Should -Be 'Compliant', 'PendingPowerCycle', 'Stale', 'Unknown', 'Unmasked', 'Wider'
        $Objects.Drifts.HostName | Should -Be 'esx-dev-haswell'
        ($Objects.Drifts.Lost -join ', ').Length | Should -BeGreaterThan 200
    }
}

Describe 'The default view of <Title>' -ForEach $Cases {
    It 'shows every header and every value whole at <Width> columns under <CultureName>' -ForEach $Renderings -Skip:($Simulator -and -not $HasSimulator) {
        $items = @($Objects[$Source])
        $lines = Out-View $items -Width $Width -Culture $Culture
        $lines | Should -Not -BeNullOrEmpty

        @($lines | Where-Object { $_.Length -gt $Width }) | Should -BeNullOrEmpty -Because "every line must fit $Width columns"
        ($lines -join "`n") | Should -Not -Match '…' -Because 'no value is cut short'

        $expected = @($items | ForEach-Object $Expect)
        switch ($Layout) {
            'Table' {
                $columns = @(Get-TableColumn $View)
                $table = Read-Table $lines $columns
                $table.Header | Should -Be @($columns.Label) -Because 'every column header shows whole, on the header line'
                $table.Rule.Trim() -split ' +' | Should -HaveCount $columns.Count -Because 'the header is one line, underlined column by column'
                $table.Rows.Count | Should -Be $items.Count -Because 'each object is one row'
                $problems = for ($i = 0; $i -lt $items.Count; $i++) { Test-Row $table.Rows[$i] $expected[$i] "row $i" }
                $problems | Should -BeNullOrEmpty
            }
            'List' {
                $entries = Read-List $lines
                $entries.Count | Should -Be $items.Count -Because 'each object is one entry'
                $problems = for ($i = 0; $i -lt $items.Count; $i++) {
                    if ((@($entries[$i].Keys) -join ', ') -cne (@($expected[$i].Keys) -join ', ')) {
                        "entry ${i}: labels $(@($entries[$i].Keys) -join ', ') instead of $(@($expected[$i].Keys) -join ', ')"
                        continue
                    }
                    Test-Row $entries[$i] $expected[$i] "entry $i"
                }
                $problems | Should -BeNullOrEmpty
            }
            'Custom' {
                $shown = @($lines | ForEach-Object { $_.Trim() } | Where-Object { $_ })
                if ($expected[0] -isnot [string]) {
                    $shown | Should -Be @($expected | ForEach-Object { $_ }) -Because 'the .vmx lines show whole, one a line'
                }
                else {
                    $shown | ForEach-Object { $_ | Should -BeLike '# *' }
                    (Get-Word ($shown | ForEach-Object { $_.Substring(2) })) -join ' ' | Should -BeExactly ((Get-Word $expected[0].Substring(2)) -join ' ')
                }
            }
        }
    }
}

Describe 'Get-CpuidFeature''s view and the catalog' {
    It 'has room at 80 columns for every tracked feature''s name and vSphere key' {
        $columns = @(Get-TableColumn 'CpuidMask.Engine.Catalog.FeatureDefinition')
        $keyRoom = 80 - (($columns | Where-Object Width | Measure-Object Width -Sum).Sum + $columns.Count - 1)
        $tracked = @(Get-CpuidFeature -Tracked)

        @($tracked | Where-Object { $_.Name.Length -gt $columns[0].Width }).Name | Should -BeNullOrEmpty
        @($tracked | Where-Object { "$($_.VSphereKey)".Length -gt $keyRoom }).VSphereKey | Should -BeNullOrEmpty
    }
}

Describe 'The format file''s views' {
    It 'label every column and list item as PowerShell names properties, with a capital letter' {
        $labels = @($Format.Configuration.ViewDefinitions.View | ForEach-Object {
                $_.TableControl.TableHeaders.TableColumnHeader.Label
                $_.ListControl.ListEntries.ListEntry.ListItems.ListItem.Label
            } | Where-Object { $_ })

        $labels.Count | Should -BeGreaterThan 20
        # vSphere is the product's own spelling.
        @($labels | Where-Object { $_ -cnotmatch '^([A-Z]|vSphere$)' }) | Should -BeNullOrEmpty
    }

    It 'keep the Set-VmEvcMode -PassThru table as wide at 120 columns as at 80' -Skip:(-not $HasSimulator) {
        $at80 = Out-View $Objects.EvcChanges -Width 80 -Culture ''
        $at120 = Out-View $Objects.EvcChanges -Width 120 -Culture ''

        ($at120 | ForEach-Object { $_.TrimEnd().Length } | Measure-Object -Maximum).Maximum |
            Should -Be ($at80 | ForEach-Object { $_.TrimEnd().Length } | Measure-Object -Maximum).Maximum
    }
}
