#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# The tools PowerShell users pipe the module's output to: ConvertTo-Json, Export-Csv, Export-Clixml /
# Import-Clixml, and jobs (which serialize the same way as remoting).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $ModulePath = Join-Path (Get-Module CpuidMask).ModuleBase 'CpuidMask.psd1'
    $Profiles = Get-HostCpuid -Path $Avoton, $IvyBridge

    function ConvertTo-JsonResult {
        # ConvertTo-Json's text and whether it warned that it cut the object off at -Depth.
        param($InputObject, [int] $Depth = 2)
        $json = ConvertTo-Json -InputObject $InputObject -Depth $Depth -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        [pscustomobject]@{ Json = $json; Value = $json | ConvertFrom-Json; Truncated = [bool]$warnings }
    }

    function Copy-ThroughClixml {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $all = [System.Collections.Generic.List[object]]::new() }
        process { $all.Add($InputObject) }
        end {
            $file = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.xml')
            $all | Export-Clixml -LiteralPath $file
            Import-Clixml -LiteralPath $file
        }
    }

    function Get-ProfileText {
        # Everything a profile is made of: its name, and a digest of the rest (short enough for a failure message).
        param([Parameter(ValueFromPipeline)] $Profile)
        process {
            $text = '{0}|{1}|{2}|{3}|{4}|{5}' -f $Profile.Source, $Profile.Format, $Profile.Vendor, $Profile.Brand,
                ($Profile.Leaves -join ','), (@($Profile.Capabilities.GetEnumerator()).ForEach({ "$($_.Key)=$($_.Value)" }) -join ',')
            $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($text))
            '{0} {1}' -f $Profile.Name, [Convert]::ToHexString($hash).Substring(0, 16)
        }
    }

    # .NET type names in a CSV cell mean a property was written with ToString() and came out unreadable.
    $TypeNameInCell = '"(System|CpuidMask)\.[\w.`]+(\[[^"]*\])?"'

    function Get-ReachableObject {
        # One object of each CpuidMask type reachable from the output through its properties (lists followed into
        # their items), with the path that reaches it: what a user can pipe to Export-Csv.
        param($InputObject, [int] $Depth = 5)
        $seen = [System.Collections.Generic.HashSet[type]]::new()
        $queue = [System.Collections.Generic.Queue[object]]::new()
        foreach ($item in @($InputObject)) { $queue.Enqueue([pscustomobject]@{ Path = $item.GetType().Name; Value = $item; Depth = 0 }) }
        while ($queue.Count) {
            $next = $queue.Dequeue()
            $value = $next.Value
            if ($null -eq $value -or $value -is [string] -or $value -is [System.Collections.IDictionary]) { continue }
            if ($value -is [System.Collections.IEnumerable]) {
                foreach ($item in $value) { $queue.Enqueue([pscustomobject]@{ Path = $next.Path; Value = $item; Depth = $next.Depth }) }
                continue
            }
            $type = $value.GetType()
            if ($type.Namespace -notlike 'CpuidMask.*' -or $type.IsEnum -or -not $seen.Add($type)) { continue }
            [pscustomobject]@{ Path = $next.Path; Value = $value }
            if ($next.Depth -ge $Depth) { continue }
            foreach ($property in $value.PSObject.Properties) {
                if ($property.MemberType -notin 'Property', 'CodeProperty', 'ScriptProperty', 'NoteProperty') { continue }
                $queue.Enqueue([pscustomobject]@{ Path = "$($next.Path).$($property.Name)"; Value = $property.Value; Depth = $next.Depth + 1 })
            }
        }
    }

    function Get-UnreadableCsvCell {
        # "path [type]: cell" for each object reachable from the output whose CSV row holds a .NET type name.
        param($InputObject)
        foreach ($reached in Get-ReachableObject $InputObject) {
            $csv = ($reached.Value | ConvertTo-Csv -NoTypeInformation) -join "`n"
            foreach ($match in [regex]::Matches($csv, $TypeNameInCell)) { "$($reached.Path) [$($reached.Value.GetType().Name)]: $($match.Value)" }
        }
    }
}

Describe 'ConvertTo-Json of the module''s output' {
    It 'converts a mask at the default depth and at -Depth 5, its register masks keyed by their .vmx key' {
        $mask = $Profiles | New-VmCpuidMask

        $default = ConvertTo-JsonResult $mask
        $deep = ConvertTo-JsonResult $mask -Depth 5

        $default.Value.Lines | Should -Be $WorkedCaseLines
        $default.Value.Hosts | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k'
        $default.Value.ProofPassed | Should -BeTrue
        $deep.Value.Mask.Registers.'cpuid.1.ecx' | Should -Be '--00-0---0----0-----------------'
        $deep.Value.Mask.Registers.'cpuid.80000001.ecx' | Should -Be '-----------------------0--------'
        $deep.Value.Generated.Mask.Registers.'cpuid.7.ebx' | Should -Be '-------------------------------0'
    }

    It 'converts the <What> at the default depth and at -Depth 5' -TestCases @(
        @{ What = 'profile'; Make = { $Profiles[0] } }
        @{ What = 'mask'; Make = { $Profiles | New-VmCpuidMask } }
        @{ What = 'baseline mask'; Make = { New-VmCpuidMask -Baseline intel-westmere } }
        @{ What = 'per-VM EVC entry'; Make = { New-VmCpuidMask -Baseline intel-westmere -AsPerVmEvc | Select-Object -First 1 } }
        @{ What = 'migration check'; Make = { $Profiles | Compare-CpuidProfile | Select-Object -First 1 } }
        @{ What = 'difference'; Make = { Compare-CpuidProfile $Profiles[0] $Profiles[1] | Select-Object -First 1 } }
        @{ What = 'baseline'; Make = { Get-CpuidBaseline intel-haswell } }
        @{ What = 'classification'; Make = { $Profiles | Get-CpuidBaseline | Select-Object -Last 1 } }
        @{ What = 'feature'; Make = { Get-CpuidFeature AVX } }
    ) {
        $output = & $Make

        $default = ConvertTo-JsonResult $output
        $deep = ConvertTo-JsonResult $output -Depth 5

        $default.Json | Should -Not -BeNullOrEmpty
        $deep.Json.Length | Should -BeGreaterOrEqual $default.Json.Length
    }

    It 'writes what lies beyond -Depth as readable text, not type names' {
        $result = ConvertTo-JsonResult ($Profiles | New-VmCpuidMask)

        $result.Truncated | Should -BeTrue
        $result.Json | Should -Not -Match '"(System|CpuidMask)\.[\w.`]+'
        $result.Value.Proof.Hosts[0] | Should -Match '^avoton-c2750: \d+ tracked features visible$'
        # A list beyond -Depth is its items joined by $OFS (a space): PowerShell's text of a list, not its ToString.
        $result.Value.Generated.Proof.Directions | Should -Be 'avoton-c2750 -> ivybridge-i7-3770k: allowed ivybridge-i7-3770k -> avoton-c2750: allowed'
        $result.Value.Generated.Mask.Registers | Should -BeLike 'cpuid.1.ecx = --00-0---0----0-----------------; cpuid.7.ebx = *'
    }

}

Describe 'Export-Csv of the module''s output' {
    It 'writes each list property as its items joined by "; "' {
        $mask = $Profiles | New-VmCpuidMask

        $row = $mask | ConvertTo-Csv | ConvertFrom-Csv

        $row.Hosts | Should -Be 'avoton-c2750; ivybridge-i7-3770k'
        $row.Lines | Should -Be ($WorkedCaseLines -join '; ')
        $row.Hidden | Should -BeLike 'PCID (missing on avoton-c2750); MOVBE (missing on ivybridge-i7-3770k); *'
        $row.Proof | Should -Be 'passed: 2 directions between 2 hosts allowed'
        ($Profiles | Compare-CpuidProfile | ConvertTo-Csv | ConvertFrom-Csv)[0].Blockers | Should -Be 'MOVBE; PREFETCHW'
        (Get-CpuidFeature AVX | ConvertTo-Csv | ConvertFrom-Csv).Requires | Should -Be 'XSAVE; XSAVE_YMM'
        (Get-CpuidBaseline intel-haswell | ConvertTo-Csv | ConvertFrom-Csv).Added | Should -Be 'FMA; MOVBE; BMI1; AVX2; BMI2; INVPCID; ABM; PDPE1GB'
    }

    It 'writes no .NET type name into any cell for the <What>' -TestCases @(
        @{ What = 'profile'; Make = { $Profiles } }
        @{ What = 'mask'; Make = { $Profiles | New-VmCpuidMask } }
        @{ What = 'baseline mask'; Make = { New-VmCpuidMask -Baseline intel-westmere } }
        @{ What = 'per-VM EVC entry'; Make = { New-VmCpuidMask -Baseline intel-westmere -AsPerVmEvc } }
        @{ What = 'migration check'; Make = { $Profiles | Compare-CpuidProfile -IncludeInformational } }
        @{ What = 'difference'; Make = { Compare-CpuidProfile $Profiles[0] $Profiles[1] } }
        @{ What = 'baseline'; Make = { Get-CpuidBaseline } }
        @{ What = 'classification'; Make = { $Profiles | Get-CpuidBaseline } }
        @{ What = 'feature'; Make = { Get-CpuidFeature } }
    ) {
        $file = Join-Path $TestDrive "$What.csv"

        & $Make | Export-Csv -LiteralPath $file

        Get-Content -LiteralPath $file -Raw | Should -Not -Match $TypeNameInCell
    }

    It 'writes no .NET type name into any cell for anything reachable from the <What>' -TestCases @(
        @{ What = 'profile'; Make = { $Profiles } }
        @{ What = 'mask'; Make = { $Profiles | New-VmCpuidMask } }
        @{ What = 'baseline mask'; Make = { New-VmCpuidMask -Baseline intel-westmere } }
        @{ What = 'baseline mask over a host'; Make = { New-VmCpuidMask -Baseline intel-westmere -Profile $Profiles[1] -WarningAction SilentlyContinue } }
        @{ What = 'mask for an old hardware version'; Make = { $Profiles | New-VmCpuidMask -HardwareVersion 8 -WarningAction SilentlyContinue } }
        @{ What = 'per-VM EVC entry'; Make = { New-VmCpuidMask -Baseline intel-westmere -AsPerVmEvc } }
        @{ What = 'migration check'; Make = { $Profiles | Compare-CpuidProfile -IncludeInformational } }
        @{ What = 'difference'; Make = { Compare-CpuidProfile $Profiles[0] $Profiles[1] } }
        @{ What = 'baseline'; Make = { Get-CpuidBaseline } }
        @{ What = 'classification'; Make = { $Profiles | Get-CpuidBaseline } }
        @{ What = 'classification for an old hardware version'; Make = { $Profiles | Get-CpuidBaseline -HardwareVersion 8 } }
        @{ What = 'feature'; Make = { Get-CpuidFeature } }
    ) {
        Get-UnreadableCsvCell (& $Make) | Should -BeNullOrEmpty
    }

    It 'writes the hosts of hidden features and the blockers of each direction as their names' {
        $mask = $Profiles | New-VmCpuidMask

        $hidden = $mask.Hidden | ConvertTo-Csv | ConvertFrom-Csv
        $directions = $mask.Proof.Directions | ConvertTo-Csv | ConvertFrom-Csv
        $blocked = $Profiles | Compare-CpuidProfile | Select-Object -First 1 -ExpandProperty Check | ConvertTo-Csv | ConvertFrom-Csv

        ($hidden | Where-Object { $_.Feature -like 'PCID*' }).PresentOn | Should -Be 'ivybridge-i7-3770k'
        ($hidden | Where-Object { $_.Feature -like 'PCID*' }).MissingOn | Should -Be 'avoton-c2750'
        $directions[0].SourceHosts | Should -Be 'avoton-c2750'
        $directions[0].Blockers | Should -Be ''
        $blocked.Blockers | Should -Be 'MOVBE; PREFETCHW'
        (New-VmCpuidMask -Baseline intel-westmere -Profile $Profiles[1] -WarningAction SilentlyContinue).Hidden[0] | ConvertTo-Csv | ConvertFrom-Csv |
            ForEach-Object { $_.PresentOn } | Should -Be 'ivybridge-i7-3770k'
    }

    It 'keeps the lists lists in PowerShell' {
        $mask = $Profiles | New-VmCpuidMask

        $mask.Lines.Count | Should -Be 4
        $mask.Lines.Length | Should -Be 4
        $mask.Lines[-1] | Should -Be $WorkedCaseLines[-1]
        $mask.Lines -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
        @($mask.Hosts | ForEach-Object { $_ }).Count | Should -Be 2
    }
}

Describe 'Profiles through Export-Clixml and Import-Clixml' {
    BeforeAll {
        $Imported = $Profiles | Copy-ThroughClixml
    }

    It 'come back as profiles, whole' {
        $Imported | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.Engine.Model.CpuidProfile]) }
        ($Imported | Get-ProfileText) | Should -Be ($Profiles | Get-ProfileText)
        $Imported[1].Family | Should -Be 6
        $Imported[1].Model | Should -Be 0x3A
    }

    It 'give New-VmCpuidMask the same mask as the live profiles' {
        ($Imported | New-VmCpuidMask).Lines | Should -Be $WorkedCaseLines
        (New-VmCpuidMask -Profile $Imported -HideFeature AES).Lines | Should -Be (New-VmCpuidMask -Profile $Profiles -HideFeature AES).Lines
        (New-VmCpuidMask -Baseline intel-westmere -Profile $Imported[0]).Lines | Should -Be (New-VmCpuidMask -Baseline intel-westmere -Profile $Profiles[0]).Lines
    }

    It 'give Compare-CpuidProfile the same blockers, both ways of calling it' {
        ($Imported | Compare-CpuidProfile).ForEach({ $_.Blockers -join ',' }) | Should -Be ($Profiles | Compare-CpuidProfile).ForEach({ $_.Blockers -join ',' })
        (Compare-CpuidProfile $Imported[0] $Imported[1]).Feature | Should -Be (Compare-CpuidProfile $Profiles[0] $Profiles[1]).Feature
    }

    It 'give Get-CpuidBaseline the same classification' {
        ($Imported | Get-CpuidBaseline).HighestKey | Should -Be ($Profiles | Get-CpuidBaseline).HighestKey
    }

    It 'keep their serialized form out of Get-Member, Select-Object * and ConvertTo-Json' {
        ($Profiles[0] | Get-Member -MemberType Properties).Name | Should -Not -Contain 'SerializationData'
        ($Profiles[0] | Select-Object * ).PSObject.Properties.Name | Should -Not -Contain 'SerializationData'
        $Profiles[0] | ConvertTo-Json -WarningAction SilentlyContinue | Should -Not -BeLike '*SerializationData*'
    }

    It 'read back before the module is loaded, bind to the cmdlets once it is' {
        $file = Join-Path $TestDrive 'early.xml'
        $Profiles | Export-Clixml -LiteralPath $file
        $script = {
            param($File, $Module)
            $bags = Import-Clixml -LiteralPath $File
            Import-Module $Module
            [pscustomobject]@{
                TypeName = $bags[0].PSObject.TypeNames[0]
                Mask     = ($bags | New-VmCpuidMask).Lines
                Blockers = ($bags | Compare-CpuidProfile).ForEach({ $_.Blockers -join ',' })
                Highest  = (Get-CpuidBaseline -Profile $bags).HighestKey
                Hint     = $(try { $bags | Get-CpuidBaseline -ErrorAction Stop } catch { $_.Exception.Message })
            }
        }

        $result = Start-Job -ScriptBlock $script -ArgumentList $file, $ModulePath | Receive-Job -Wait -AutoRemoveJob

        $result.TypeName | Should -Be 'Deserialized.CpuidMask.Engine.Model.CpuidProfile'
        $result.Mask | Should -Be $WorkedCaseLines
        $result.Blockers | Should -Be ($Profiles | Compare-CpuidProfile).ForEach({ $_.Blockers -join ',' })
        $result.Highest | Should -Be ($Profiles | Get-CpuidBaseline).HighestKey
        $result.Hint | Should -BeLike '*pass them with -Profile*'
    }

    It 'stay property bags, not errors, when their serialized form is damaged' {
        $file = Join-Path $TestDrive 'damaged.xml'
        $Profiles[0] | Export-Clixml -LiteralPath $file
        (Get-Content -LiteralPath $file -Raw) -creplace '"leaves"', '"leafs"' | Set-Content -LiteralPath $file

        $bag = Import-Clixml -LiteralPath $file

        $bag.PSObject.TypeNames[0] | Should -Be 'Deserialized.CpuidMask.Engine.Model.CpuidProfile'
        $bag.Name | Should -Be 'avoton-c2750'
        { $bag | New-VmCpuidMask -ErrorAction Stop } | Should -Throw
    }
}

Describe 'Masks through Export-Clixml and Import-Clixml' {
    It 'bring a <What> back with the same lines, reasons and proof, and it works as -Mask' -TestCases @(
        @{ What = 'mask over hosts'; Make = { $Profiles | New-VmCpuidMask -HideFeature AES } }
        @{ What = 'complete baseline mask'; Make = { New-VmCpuidMask -Baseline intel-westmere } }
        @{ What = 'baseline mask over a host'; Make = { New-VmCpuidMask -Baseline intel-westmere -Profile $Profiles[1] } }
    ) {
        $mask = & $Make

        $back = $mask | Copy-ThroughClixml

        $back | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMask])
        $back.Lines | Should -Be $mask.Lines
        $back.FeatMaskLines | Should -Be $mask.FeatMaskLines
        $back.Hosts | Should -Be $mask.Hosts
        $back.Baseline.Key | Should -Be $mask.Baseline.Key
        ($back.Hidden | ForEach-Object { "$($_.Feature.Name) $($_.Reason) $($_.Explanation)" }) | Should -Be ($mask.Hidden | ForEach-Object { "$($_.Feature.Name) $($_.Reason) $($_.Explanation)" })
        $back.ProofPassed | Should -Be $mask.ProofPassed
        "$($back.Proof)" | Should -Be "$($mask.Proof)"
        ($back | Out-String) | Should -Be ($mask | Out-String)
        ($Profiles | Compare-CpuidProfile -Mask $back).Allowed | Should -Be ($Profiles | Compare-CpuidProfile -Mask $mask).Allowed
    }
}

Describe 'The default views of objects read back by Import-Clixml or received from a job' {
    BeforeAll {
        $Mask = $Profiles | New-VmCpuidMask
    }

    # Types without a serialized form come back as property bags; their views must still read them as the live objects.
    It 'shows the <What> as the live one' -TestCases @(
        @{ What = 'baselines of both vendors'; Make = { Get-CpuidBaseline intel-westmere, amd-zen } }
        @{ What = 'per-VM EVC entries'; Make = { New-VmCpuidMask -Baseline intel-westmere -AsPerVmEvc } }
        @{ What = 'migration checks'; Make = { $Profiles | Compare-CpuidProfile } }
        @{ What = 'differences'; Make = { Compare-CpuidProfile $Profiles[0] $Profiles[1] } }
        @{ What = 'classifications'; Make = { $Profiles | Get-CpuidBaseline } }
        @{ What = 'features'; Make = { Get-CpuidFeature AVX, MOVBE } }
        @{ What = 'hidden features'; Make = { $Mask.Hidden } }
        @{ What = 'proof'; Make = { $Mask.Proof } }
        @{ What = 'proof''s directions'; Make = { $Mask.Proof.Directions } }
    ) {
        $live = & $Make

        $imported = $live | Copy-ThroughClixml
        $received = Start-Job -ScriptBlock { param($Objects) $Objects } -ArgumentList (, @($live)) | Receive-Job -Wait -AutoRemoveJob

        ($imported | Out-String -Width 120) | Should -BeExactly ($live | Out-String -Width 120)
        ($received | Out-String -Width 120) | Should -BeExactly ($live | Out-String -Width 120)
    }

    It 'shows each baseline''s vendor after the round trip, where the vendor is a number' {
        $imported = Get-CpuidBaseline intel-westmere, amd-zen | Copy-ThroughClixml

        $imported[0].Vendor | Should -Not -BeOfType ([CpuidMask.Engine.Catalog.BaselineVendor])
        ($imported | Out-String -Width 80) -split '\r?\n' | Where-Object { $_ -match '^(intel-westmere|amd-zen) ' } |
            ForEach-Object { ($_ -split ' +')[1] } | Should -Be 'Intel', 'AMD'
    }
}

Describe 'Profiles and masks through Start-Job and Receive-Job' {
    It 'come back from a job as profiles that give the same mask' {
        $received = Start-Job -ScriptBlock {
            param($Module, $Paths)
            Import-Module $Module
            Get-HostCpuid -Path $Paths
        } -ArgumentList $ModulePath, @($Avoton, $IvyBridge) | Receive-Job -Wait -AutoRemoveJob

        $received | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.Engine.Model.CpuidProfile]) }
        ($received | Get-ProfileText) | Should -Be ($Profiles | Get-ProfileText)
        ($received | New-VmCpuidMask).Lines | Should -Be $WorkedCaseLines
    }

    It 'go into a job as profiles, and the job''s mask comes back as a mask' {
        $mask = Start-Job -ScriptBlock {
            param($Module, $Hosts)
            Import-Module $Module
            $Hosts | New-VmCpuidMask
        } -ArgumentList $ModulePath, $Profiles | Receive-Job -Wait -AutoRemoveJob

        $mask | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMask])
        $mask.Lines | Should -Be $WorkedCaseLines
        $mask.Hidden.Count | Should -Be 9
    }
}

Describe 'vCenter output with the tools, against the simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'converts a VM''s masks to JSON whole at the default depth, keyed by their .vmx key' {
        $vm = Get-VmCpuidMask vm-interop01 @Connection

        $result = ConvertTo-JsonResult $vm

        $result.Truncated | Should -BeFalse
        $result.Value.Name | Should -Be 'vm-interop01'
        $result.Value.Lines | Should -Be 'cpuid.80000001.ecx = "-----------------------0--------"'
        $result.Value.Mask.Registers.'cpuid.80000001.ecx' | Should -Be '-----------------------0--------'
        (ConvertTo-JsonResult $vm -Depth 5).Value.Mask.Registers.'cpuid.80000001.ecx' | Should -Be '-----------------------0--------'
    }

    It 'writes no .NET type name into any cell for anything reachable from vCenter''s output' {
        $outputs = @(
            Get-HostCpuid esx-avoton-01, esx-ivy-01 @Connection
            Get-VmCpuidMask vm-interop01, vm-undo01 @Connection
            $change = $Profiles | New-VmCpuidMask | Set-VmCpuidMask -VM vm-view02 @Connection -Confirm:$false -PassThru
            $change
            $change | Undo-VmCpuidMask @Connection -Confirm:$false -PassThru
            Set-VmEvcMode -VM vm-view03 -Baseline intel-haswell @Connection -Confirm:$false -PassThru
            Test-VmCpuidMask vm-interop01 -Scope AllHosts @Connection -WarningAction SilentlyContinue
        )

        Get-UnreadableCsvCell $outputs | Should -BeNullOrEmpty
    }

    It 'exports a VM''s masks to CSV as readable lines' {
        $row = Get-VmCpuidMask vm-interop01, vm-undo01 @Connection | ConvertTo-Csv | ConvertFrom-Csv

        ($row | Where-Object Name -eq 'vm-undo01').Lines | Should -Be 'cpuid.80000001.ecx = "-----------------------0--------"; featMask.vm.cpuid.PCID = "Val:0"'
        ($row | ConvertTo-Csv) -join "`n" | Should -Not -Match $TypeNameInCell
    }

    It 'keeps a VM''s masks whole through Export-Clixml, usable as -Mask' {
        $vm = Get-VmCpuidMask vm-interop01 @Connection

        $back = $vm | Copy-ThroughClixml

        $back | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskInfo])
        foreach ($name in 'Name', 'Id', 'Server', 'PowerState', 'HardwareVersion', 'VMHost', 'HasMask') { $back.$name | Should -Be $vm.$name }
        $back.Lines | Should -Be $vm.Lines
        $back.FeatureRequirement | Should -Be $vm.FeatureRequirement
        "$($back.Mask)" | Should -Be "$($vm.Mask)"
        ($Profiles | Compare-CpuidProfile -Mask $back).Blockers | Should -Be ($Profiles | Compare-CpuidProfile -Mask $vm).Blockers
    }

    It 'keeps a VM''s masks whole through a job' {
        $received = Start-Job -ScriptBlock {
            param($Module, $Connection)
            Import-Module $Module
            Get-VmCpuidMask vm-interop01 @Connection
        } -ArgumentList $ModulePath, $Connection | Receive-Job -Wait -AutoRemoveJob

        $received | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskInfo])
        $received.Lines | Should -Be 'cpuid.80000001.ecx = "-----------------------0--------"'
    }

    It 'keeps hosts read from vCenter whole through Export-Clixml' {
        $hosts = Get-HostCpuid esx-avoton-01, esx-ivy-01 @Connection

        $back = $hosts | Copy-ThroughClixml

        ($back | Get-ProfileText) | Should -Be ($hosts | Get-ProfileText)
        ($back | New-VmCpuidMask).Lines | Should -Be ($hosts | New-VmCpuidMask).Lines
        ($back | Get-CpuidBaseline).HighestKey | Should -Be ($hosts | Get-CpuidBaseline).HighestKey
    }

    It 'writes a mask read back by Import-Clixml, keeps the result whole through Export-Clixml, to JSON and CSV, and undoes from the copy' {
        $mask = $Profiles | New-VmCpuidMask | Copy-ThroughClixml
        $change = $mask | Set-VmCpuidMask -VM vm-interop01 @Connection -Confirm:$false -PassThru
        $change.Verified | Should -BeTrue
        ((Get-VmCpuidMask vm-interop01 @Connection).Lines | Sort-Object) | Should -Be ($WorkedCaseLines | Sort-Object)

        $back = $change | Copy-ThroughClixml

        $back | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskChange])
        foreach ($name in 'VM', 'Id', 'Server', 'Mode', 'Applied', 'Verified', 'AppliedAt', 'Note') { $back.$name | Should -Be $change.$name }
        ($back.Changes | ForEach-Object { "$_" }) | Should -Be ($change.Changes | ForEach-Object { "$_" })
        $back.Lines | Should -Be $change.Lines
        (ConvertTo-JsonResult $change).Truncated | Should -BeFalse
        (ConvertTo-JsonResult $change).Value.Changes.Key | Should -Be $change.Keys
        ($change | ConvertTo-Csv | ConvertFrom-Csv).Keys | Should -Be ($change.Keys -join '; ')

        $undone = Set-VmCpuidMask -Undo $back @Connection -Confirm:$false -PassThru
        $undone.Mode | Should -Be 'Undo'
        (Get-VmCpuidMask vm-interop01 @Connection).Lines | Should -Be 'cpuid.80000001.ecx = "-----------------------0--------"'
    }

    It 'keeps a per-VM EVC result whole through Export-Clixml, to JSON and CSV' {
        $change = Set-VmCpuidMask -VM vm-interop02 -Method PerVmEvc -Baseline intel-haswell @Connection -Confirm:$false -PassThru

        $back = $change | Copy-ThroughClixml

        $back | Should -BeOfType ([CpuidMask.PowerShell.VmEvcModeChange])
        foreach ($name in 'VM', 'Id', 'Server', 'EvcMode', 'Source', 'Status', 'Applied', 'Verified', 'ChangeVersion') { $back.$name | Should -Be $change.$name }
        $back.Mask | Should -Be $change.Mask
        $back.ReadBack | Should -Be $change.ReadBack
        $back.Previous | Should -Be $change.Previous
        (ConvertTo-JsonResult $change -Depth 5).Value.Mask | Should -Be $change.Mask
        ($change | ConvertTo-Csv | ConvertFrom-Csv).Mask | Should -Be ($change.Mask -join '; ')
    }
}
