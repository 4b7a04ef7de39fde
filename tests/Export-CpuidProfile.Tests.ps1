#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $Profiles = Get-HostCpuid -Path $Avoton, $IvyBridge

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
}

Describe 'Export-CpuidProfile' {
    It 'saves several hosts in one file that Get-HostCpuid -Path reads back as the same profiles' {
        $file = Join-Path $TestDrive 'hosts.json'

        $Profiles | Export-CpuidProfile -Path $file

        $back = Get-HostCpuid -Path $file
        $back.Count | Should -Be 2
        $back | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.Engine.Model.CpuidProfile]) }
        ($back | Get-ProfileText) | Should -Be ($Profiles | Get-ProfileText)
    }

    It 'gives the same mask from the file as from the dumps, with -Cpu or without' {
        $file = Join-Path $TestDrive 'mask-hosts.json'
        Export-CpuidProfile -Path $file -Profile $Profiles

        (Get-HostCpuid -Path $file | New-VmCpuidMask).Lines | Should -Be $WorkedCaseLines
        (Get-HostCpuid -Path $file -Cpu 1).Name | Should -Be $Profiles.Name
    }

    It 'writes the list of objects that cpuidmask show --json prints, with each host''s features' {
        $file = Join-Path $TestDrive 'shape.json'
        $Profiles | Export-CpuidProfile -Path $file

        $json = Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -NoEnumerate
        $json.Count | Should -Be 2
        $json[0].name | Should -Be 'avoton-c2750'
        $json[0].format | Should -Be 'InstLatx64'
        $json[1].brand | Should -Be 'Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz'
        ($json[1].leaves | Where-Object leaf -eq '0x7').ebx | Should -Be '0x00000281'
        $json[1].features.name | Should -Contain 'AVX'
        $json[0].features.name | Should -Not -Contain 'AVX'
        [IO.File]::ReadAllBytes($file)[0] | Should -Be ([byte][char]'[')
    }

    It 'saves one profile as a list of one, which reads back' {
        $file = Join-Path $TestDrive 'one.json'

        $Profiles[0] | Export-CpuidProfile $file

        (Get-Content -LiteralPath $file -Raw).TrimStart() | Should -BeLike '`[*'
        (Get-HostCpuid -Path $file | Get-ProfileText) | Should -Be ($Profiles[0] | Get-ProfileText)
    }

    It 'replaces an existing file, keeps it with -NoClobber' {
        $file = Join-Path $TestDrive 'replace.json'
        $Profiles | Export-CpuidProfile -Path $file

        $Profiles[1] | Export-CpuidProfile -Path $file
        (Get-HostCpuid -Path $file).Name | Should -Be 'ivybridge-i7-3770k'

        { $Profiles[0] | Export-CpuidProfile -Path $file -NoClobber } | Should -Throw -ErrorId 'ProfileFileExists,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
        (Get-HostCpuid -Path $file).Name | Should -Be 'ivybridge-i7-3770k'
    }

    It 'replaces a read-only file only with -Force' {
        $file = Join-Path $TestDrive 'readonly.json'
        $Profiles[0] | Export-CpuidProfile -Path $file
        Set-ItemProperty -LiteralPath $file -Name IsReadOnly -Value $true

        { $Profiles[1] | Export-CpuidProfile -Path $file } | Should -Throw -ErrorId 'ProfileFileUnwritable,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
        (Get-HostCpuid -Path $file).Name | Should -Be 'avoton-c2750'

        $Profiles[1] | Export-CpuidProfile -Path $file -Force
        (Get-HostCpuid -Path $file).Name | Should -Be 'ivybridge-i7-3770k'
    }

    It 'writes nothing with -WhatIf, and says what it would write' {
        $file = Join-Path $TestDrive 'whatif.json'

        $Profiles | Export-CpuidProfile -Path $file -WhatIf

        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'supports -WhatIf and -Confirm, and asks only when asked to, like Export-Csv' {
        $command = Get-Command Export-CpuidProfile
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'Medium'
    }

    It 'writes the saved profiles on with -PassThru, and nothing without it' {
        $file = Join-Path $TestDrive 'passthru.json'

        $Profiles | Export-CpuidProfile -Path $file | Should -BeNullOrEmpty
        $passed = $Profiles | Export-CpuidProfile -Path $file -PassThru
        $passed.Name | Should -Be $Profiles.Name
        ($passed | New-VmCpuidMask).Lines | Should -Be $WorkedCaseLines
    }

    It 'keeps the last file when no profile comes through' {
        $file = Join-Path $TestDrive 'keep.json'
        $Profiles | Export-CpuidProfile -Path $file

        { @() | Export-CpuidProfile -Path $file } | Should -Throw -ErrorId 'ProfileInputMissing,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
        (Get-HostCpuid -Path $file).Count | Should -Be 2
    }

    It 'takes -LiteralPath with wildcard characters as the name, and -Path wildcards for one existing file' {
        $literal = Join-Path $TestDrive 'hosts[1].json'
        $Profiles | Export-CpuidProfile -LiteralPath $literal
        (Get-HostCpuid -LiteralPath $literal).Count | Should -Be 2

        $existing = Join-Path $TestDrive 'wild-one.json'
        $Profiles[0] | Export-CpuidProfile -Path $existing
        $Profiles[1] | Export-CpuidProfile -Path (Join-Path $TestDrive 'wild-o*.json')
        (Get-HostCpuid -Path $existing).Name | Should -Be 'ivybridge-i7-3770k'
    }

    It 'refuses a folder, another drive, and wildcards that name several files' {
        { $Profiles | Export-CpuidProfile -Path $TestDrive } | Should -Throw -ErrorId 'ProfileFileUnwritable,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
        { $Profiles | Export-CpuidProfile -Path 'Env:\CpuidMaskProfiles' } | Should -Throw -ErrorId 'ProfilePathNotFileSystem,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
        Set-Content -LiteralPath (Join-Path $TestDrive 'many1.json') -Value '[]'
        Set-Content -LiteralPath (Join-Path $TestDrive 'many2.json') -Value '[]'
        { $Profiles | Export-CpuidProfile -Path (Join-Path $TestDrive 'many*.json') } | Should -Throw -ErrorId 'ProfilePathAmbiguous,CpuidMask.PowerShell.Commands.ExportCpuidProfileCommand'
    }

    It 'lets a host be compared with its own saved profile, each side named' {
        $file = Join-Path $TestDrive 'snapshot.json'
        $Profiles | Export-CpuidProfile -Path $file
        $previous = Get-HostCpuid -Path $file
        $changed = Get-HostCpuid -Path $Avoton | ForEach-Object { $_.WithName('ivybridge-i7-3770k') }

        Compare-CpuidProfile $previous[0] $Profiles[0] -ErrorAction Stop | Should -BeNullOrEmpty
        $rows = Compare-CpuidProfile $previous[1] $changed[0] -ErrorAction Stop

        $rows.Feature | Should -Contain 'AVX'
        ($rows | Where-Object Feature -eq 'AVX').Source | Should -Be 'ivybridge-i7-3770k (reference)'
        ($rows | Where-Object Feature -eq 'AVX').Destination | Should -Be 'ivybridge-i7-3770k (difference)'
        ($rows | Where-Object Feature -eq 'MOVBE').SideIndicator | Should -Be '<='
    }

    It 'saves a profile read back by Import-Clixml exactly as the live one' {
        $xml = Join-Path $TestDrive 'profiles.xml'
        $Profiles | Export-Clixml -LiteralPath $xml
        $live = Join-Path $TestDrive 'live.json'
        $imported = Join-Path $TestDrive 'imported.json'

        $Profiles | Export-CpuidProfile -Path $live
        Import-Clixml -LiteralPath $xml | Export-CpuidProfile -Path $imported

        Get-Content -LiteralPath $imported -Raw | Should -Be (Get-Content -LiteralPath $live -Raw)
    }
}

Describe 'Export-CpuidProfile with hosts from the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'saves hosts read from vCenter, which compare the same when read back' {
        $file = Join-Path $TestDrive 'vcenter.json'
        $hosts = Get-HostCpuid esx-avoton-01, esx-ivy-01 @Connection

        $hosts | Export-CpuidProfile -Path $file

        $back = Get-HostCpuid -Path $file
        ($back | Get-ProfileText) | Should -Be ($hosts | Get-ProfileText)
        ($back | Compare-CpuidProfile | ForEach-Object { $_.Blockers -join ',' }) | Should -Be ($hosts | Compare-CpuidProfile | ForEach-Object { $_.Blockers -join ',' })
    }
}
