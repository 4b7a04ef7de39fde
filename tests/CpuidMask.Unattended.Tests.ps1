#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

# Scheduled compliance jobs and other unattended runs: no PowerCLI session, no prompt, credentials from the
# environment (as the cpuidmask program takes them), and a clear stop where a confirmation cannot be asked.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest

    function Invoke-ChildShell {
        # A fresh pwsh, as Task Scheduler or cron would start it, with only the given environment added.
        param([string] $Command, [hashtable] $Environment = @{})
        $start = [System.Diagnostics.ProcessStartInfo]::new()
        $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') {
            $start.FileName = $pwsh
            $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll'))
        }
        else {
            $start.FileName = $pwsh
        }
        foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $Command) { $start.ArgumentList.Add($argument) }
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
        $start.Environment['CPUIDMASK_MODULE'] = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path $RepoRoot 'artifacts/module/CpuidMask' }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $out = $process.StandardOutput.ReadToEndAsync()
        $err = $process.StandardError.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Out = $out.Result; Err = $err }
    }
}

Describe 'Unattended runs against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $password = $vc.Credential.GetNetworkCredential().Password
        $savedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $savedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $global:DefaultVIServer = $null
        $global:DefaultVIServers = @()
    }

    AfterAll {
        Stop-TestVCenter $vc
        $global:DefaultVIServer = $savedDefault
        $global:DefaultVIServers = $savedAll
        Remove-Item Env:CPUIDMASK_USER, Env:CPUIDMASK_PASSWORD, Env:CPUIDMASK_SESSION -ErrorAction SilentlyContinue
    }

    It 'logs in with CPUIDMASK_USER and CPUIDMASK_PASSWORD when -Server has no PowerCLI session and no -Credential' {
        try {
            $env:CPUIDMASK_USER = $vc.UserName
            $env:CPUIDMASK_PASSWORD = $password

            $vm = Get-VmCpuidMask vm-web01 -Server $vc.Url -Thumbprint $vc.Thumbprint

            $vm.Lines | Should -Be 'cpuid.1.edx = "-------------------------------0"'
        }
        finally {
            Remove-Item Env:CPUIDMASK_USER, Env:CPUIDMASK_PASSWORD -ErrorAction SilentlyContinue
        }
    }

    It 'reuses the session in CPUIDMASK_SESSION before a user and password' {
        # A session opened elsewhere (here PowerCLI's, kept out of $global:DefaultVIServers), handed over as its cookie.
        Import-Module (Join-Path $PSScriptRoot 'PowerCliFakes.psm1')
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
        $session = Connect-VIServer vc01 -NotDefault
        try {
            $env:CPUIDMASK_SESSION = $session.SessionSecret
            $env:CPUIDMASK_USER = $vc.UserName
            $env:CPUIDMASK_PASSWORD = 'not the password'

            (Get-HostCpuid esx-avoton-01 -Server $vc.Url -Thumbprint $vc.Thumbprint).Name | Should -Be 'esx-avoton-01'
        }
        finally {
            Remove-Item Env:CPUIDMASK_USER, Env:CPUIDMASK_PASSWORD, Env:CPUIDMASK_SESSION -ErrorAction SilentlyContinue
        }
    }

    It 'names the environment variables when -Server has nothing to log in with' {
        $thrown = { Get-VmCpuidMask vm-web01 -Server $vc.Url -Thumbprint $vc.Thumbprint } |
            Should -Throw -ErrorId 'VCenterCredentialRequired,CpuidMask.PowerShell.Commands.GetVmCpuidMaskCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*CPUIDMASK_SESSION*CPUIDMASK_USER*CPUIDMASK_PASSWORD*'
    }

    It 'says CPUIDMASK_PASSWORD is missing when CPUIDMASK_USER is set without it' {
        try {
            $env:CPUIDMASK_USER = $vc.UserName
            Remove-Item Env:CPUIDMASK_PASSWORD, Env:CPUIDMASK_SESSION -ErrorAction SilentlyContinue

            $thrown = { Get-VmCpuidMask vm-web01 -Server $vc.Url -Thumbprint $vc.Thumbprint } |
                Should -Throw -ErrorId 'VCenterCredentialRequired,CpuidMask.PowerShell.Commands.GetVmCpuidMaskCommand' -PassThru
            $thrown.Exception.Message | Should -BeLike "CPUIDMASK_USER is set ($($vc.UserName)) but CPUIDMASK_PASSWORD is not*set CPUIDMASK_PASSWORD to*-Credential*"
        }
        finally {
            Remove-Item Env:CPUIDMASK_USER -ErrorAction SilentlyContinue
        }
    }

    It 'stops with ConfirmationUnavailable under pwsh -NonInteractive without -Confirm:$false, and writes nothing' {
        $command = "Import-Module `$env:CPUIDMASK_MODULE; " +
            "Set-VmCpuidMask -VM vm-web02 -Mask 'cpuid.1.ecx = `"--00-0---0----0-----------------`"' -Server '$($vc.Url)' -Thumbprint '$($vc.Thumbprint)' -ErrorAction Stop"
        $run = Invoke-ChildShell $command @{ CPUIDMASK_USER = $vc.UserName; CPUIDMASK_PASSWORD = $password }

        $run.ExitCode | Should -Not -Be 0
        $run.Err | Should -BeLike '*cannot ask*-Confirm:$false*'
        $run.Err | Should -Not -BeLike "*$password*"
        (Get-VmCpuidMask vm-web02 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint).Lines | Should -Not -Contain 'cpuid.1.ecx = "--00-0---0----0-----------------"'
    }

    It 'writes under pwsh -NonInteractive with -Confirm:$false, the job''s credential coming from the environment' {
        $command = "Import-Module `$env:CPUIDMASK_MODULE; " +
            "Set-VmCpuidMask -VM vm-web02 -Mask 'cpuid.1.ecx = `"--00-0---0----0-----------------`"' -Server '$($vc.Url)' -Thumbprint '$($vc.Thumbprint)' -Confirm:`$false -PassThru -ErrorAction Stop | " +
            "ForEach-Object { 'verified=' + `$_.Verified }"
        $run = Invoke-ChildShell $command @{ CPUIDMASK_USER = $vc.UserName; CPUIDMASK_PASSWORD = $password }

        $run.ExitCode | Should -Be 0 -Because $run.Err
        $run.Out.Trim() | Should -Be 'verified=True'
        (Get-VmCpuidMask vm-web02 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint).Lines | Should -Contain 'cpuid.1.ecx = "--00-0---0----0-----------------"'
    }
}

Describe 'The scheduled-job example of about_CpuidMask' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $about = Get-Content -LiteralPath (Join-Path $RepoRoot 'en-US/about_CpuidMask.help.txt')

        function Get-AboutBlock {
            # The indented script that follows the line starting with $Heading.
            param([string] $Heading)
            $start = [Array]::FindIndex($about, [Predicate[string]] { param($l) $l.Trim().StartsWith($Heading) })
            $start | Should -BeGreaterThan 0 -Because "about_CpuidMask has '$Heading'"
            $lines = $about[($start + 1)..($about.Count - 1)]
            $block = foreach ($line in $lines) {
                if ($line -match '^\s*$') { if ($seen) { break } else { continue } }
                if ($line -notmatch '^ {8}') { break }
                $seen = $true
                $line.Substring(8)
            }
            $block -join "`n"
        }

        # The example as a user would adapt it to this vCenter: its address and pinned certificate, its host and
        # VM names. Everything else runs as written.
        function ConvertTo-TestScript {
            param([string] $Text)
            $Text.Replace("Server = 'vc01.example.com';", "Server = '$($vc.Url)'; Thumbprint = '$($vc.Thumbprint)';").
                Replace("Get-HostCpuid 'esx*'", "Get-HostCpuid 'esx-avoton-01', 'esx-ivy-01'").
                Replace("'web*'", "'vm-web*'")
        }

        $check = Get-AboutBlock 'A daily check'
        $fix = Get-AboutBlock 'And the fix'
        $jobHome = Join-Path $TestDrive 'job'
        New-Item -ItemType Directory -Path $jobHome | Out-Null
        # As if installed: the staged module's folder is on PSModulePath, so 'Import-Module CpuidMask' finds it.
        $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path $RepoRoot 'artifacts/module/CpuidMask' }
        if ($module -like '*.psd1') { $module = Split-Path -Parent (Split-Path -Parent $module) }
        $jobEnvironment = @{ HOME = $jobHome; PSModulePath = (Split-Path -Parent $module) + [IO.Path]::PathSeparator + $env:PSModulePath }
        $vc.Credential | Export-Clixml -LiteralPath (Join-Path $jobHome 'vc01.xml')
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'reports the VMs a vMotion between the hosts would block, with exit code 1' {
        $script = Join-Path $jobHome 'check.ps1'
        Set-Content -LiteralPath $script -Value (ConvertTo-TestScript $check)

        $run = Invoke-ChildShell "Set-Location '$jobHome'; & '$script'; exit `$LASTEXITCODE" $jobEnvironment

        $run.ExitCode | Should -Be 1 -Because $run.Err
        $report = Import-Csv (Get-ChildItem -LiteralPath $jobHome -Filter 'cpuid-check-*.csv').FullName
        $report.VM | Should -Be 'vm-web01', 'vm-web02'
        $report.Blocked | Sort-Object -Unique | Should -Be 'True'
        $report[1].Features | Should -Be ((($IvyBridgeOnly + $AvotonOnly) | Sort-Object) -join ', ')
    }

    It 'writes the fix without a prompt, keeps its undo, and the next check passes' {
        $script = Join-Path $jobHome 'fix.ps1'
        $checkWithoutExit = ($check -split "`n" | Where-Object { $_ -notmatch '^if \(\$report' }) -join "`n"
        Set-Content -LiteralPath $script -Value (ConvertTo-TestScript ($checkWithoutExit + "`n" + $fix))
        $again = Join-Path $jobHome 'check.ps1'

        $fixed = Invoke-ChildShell "Set-Location '$jobHome'; & '$script'" $jobEnvironment
        $rerun = Invoke-ChildShell "Set-Location '$jobHome'; & '$again'; exit `$LASTEXITCODE" $jobEnvironment

        $fixed.ExitCode | Should -Be 0 -Because $fixed.Err
        $folder = Get-ChildItem -LiteralPath $jobHome -Directory -Filter 'cpuid-undo-*'
        $records = Get-ChildItem -LiteralPath $folder.FullName -Filter '*.json' | ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json }
        $records.vm | Sort-Object | Should -Be 'vm-web01', 'vm-web02'
        $records.outcome | Sort-Object -Unique | Should -Be 'applied'
        $rerun.ExitCode | Should -Be 0 -Because $rerun.Err

        # The undo the help names puts both VMs back: the check blocks again.
        $undone = Invoke-ChildShell ("Set-Location '$jobHome'; Import-Module CpuidMask; " + (ConvertTo-TestScript "`$vc = @{ Server = 'vc01.example.com'; Credential = Import-Clixml `"`$HOME/vc01.xml`" }") +
            "; Get-ChildItem '$($folder.FullName)' | Undo-VmCpuidMask @vc -Confirm:`$false") $jobEnvironment
        $undone.ExitCode | Should -Be 0 -Because $undone.Err
        (Invoke-ChildShell "Set-Location '$jobHome'; & '$again'; exit `$LASTEXITCODE" $jobEnvironment).ExitCode | Should -Be 1
    }
}

Describe 'The compliance job of about_CpuidMask' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter -InventoryFile compliance.json
        $about = Get-Content -LiteralPath (Join-Path $RepoRoot 'en-US/about_CpuidMask.help.txt')
        $start = [Array]::FindIndex($about, [Predicate[string]] { param($l) $l.Trim().StartsWith('A compliance job for the whole vCenter') })
        $lines = $about[($start + 2)..($about.Count - 1)]
        $seen = $false
        $script = @(foreach ($line in $lines) {
                if ($line -match '^\s*$') { if ($seen) { break } else { continue } }
                if ($line -notmatch '^ {8}') { break }
                $seen = $true
                $line.Substring(8)
            }) -join "`n"
        # As a user would adapt it to this vCenter: its address and pinned certificate.
        $script = $script.Replace("Server = 'vc01.example.com';", "Server = '$($vc.Url)'; Thumbprint = '$($vc.Thumbprint)';")
        $jobHome = Join-Path $TestDrive 'compliance-job'
        New-Item -ItemType Directory -Path $jobHome | Out-Null
        Set-Content -LiteralPath (Join-Path $jobHome 'compliance.ps1') -Value $script
        $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path $RepoRoot 'artifacts/module/CpuidMask' }
        if ($module -like '*.psd1') { $module = Split-Path -Parent (Split-Path -Parent $module) }
        $jobEnvironment = @{ HOME = $jobHome; PSModulePath = (Split-Path -Parent $module) + [IO.Path]::PathSeparator + $env:PSModulePath }
        $vc.Credential | Export-Clixml -LiteralPath (Join-Path $jobHome 'vc01.xml')
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'is in the help, complete' {
        $start | Should -BeGreaterThan 0
        $script | Should -BeLike '*Test-VmCpuidMask @vc -SnapshotPath $snapshot -HtmlPath "cpuid-compliance-$day.html"*'
        $script | Should -BeLike '*exit 1 }'
    }

    It 'writes the CSV and the HTML of every VM, keeps a snapshot of the hosts, and exits 1 when a VM is not compliant' {
        $run = Invoke-ChildShell "Set-Location '$jobHome'; & ./compliance.ps1; exit `$LASTEXITCODE" $jobEnvironment

        $run.ExitCode | Should -Be 1 -Because $run.Err
        $rows = Import-Csv (Get-ChildItem -LiteralPath $jobHome -Filter 'cpuid-compliance-*.csv').FullName
        $rows.Count | Should -Be 11
        ($rows | Where-Object Name -eq vm-lab-stale).Status | Should -Be 'Stale'
        ($rows | Where-Object Name -eq vm-dev-unmasked).CannotMoveTo | Should -Be 'esx-dev-haswell'
        $html = Get-Content -Raw (Get-ChildItem -LiteralPath $jobHome -Filter 'cpuid-compliance-*.html').FullName
        # The report of Test-VmCpuidMask -HtmlPath: every VM in its cluster's matrix, the findings with their fixes.
        $html | Should -BeLike '<!DOCTYPE html>*'
        $html | Should -BeLike '*<tfoot><tr><th scope="row">All</th><td class="n">11</td>*'
        $html | Should -Match '<td class="c no" aria-label="cannot move" title="vm-dev-unmasked cannot move to esx-dev-haswell:'
        $html | Should -BeLike '*<td class="fix">Apply the minimal mask for its scope*Set-VmCpuidMask -Server *'
        (Get-HostCpuid -Path (Join-Path $jobHome 'cpuid-hosts.json')).Name | Should -Contain 'esx-dev-haswell'
        Get-ChildItem -LiteralPath $jobHome -Filter 'cpuid-drift-*.json' | Should -BeNullOrEmpty -Because 'nothing changed since the snapshot it just took'
    }

    It 'reports a host whose CPU changed since the snapshot' {
        # As if esx-dev-haswell had been a Cascade Lake when the snapshot was taken: it has lost AVX-512 since.
        $snapshot = Join-Path $jobHome 'cpuid-hosts.json'
        $hosts = @(Get-HostCpuid -Path $snapshot)
        $cascade = $hosts | Where-Object Name -eq esx-dev-cascade
        @($hosts | Where-Object Name -ne esx-dev-haswell) + @($cascade.WithName('esx-dev-haswell', $cascade.Source)) | Export-CpuidProfile -Path $snapshot -Force

        $run = Invoke-ChildShell "Set-Location '$jobHome'; & ./compliance.ps1; exit `$LASTEXITCODE" $jobEnvironment

        $run.ExitCode | Should -Be 1 -Because $run.Err
        $drift = Get-Content -Raw (Get-ChildItem -LiteralPath $jobHome -Filter 'cpuid-drift-*.json').FullName | ConvertFrom-Json
        $drift.HostName | Should -Be 'esx-dev-haswell'
        $drift.Lost | Should -Contain 'Advanced Vector Extensions 512 Foundation (AVX512F)'
        $drift.BlockedVms | Should -Contain 'vm-dev-unmasked'
    }
}
