#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Test-VmCpuidMask against tests/vcsim/compliance.json: one VM per status (VcsimComplianceInventory.cs says why each).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
    $Statuses = @(
        @{ Vm = 'vm-prod-off'; Status = 'Compliant'; Because = 'the Prod cluster''s EVC mode levels its hosts' }
        @{ Vm = 'vm-prod-on'; Status = 'Compliant'; Because = 'it runs with what the EVC mode leaves' }
        @{ Vm = 'vm-lab-stale'; Status = 'Stale'; Because = 'its mask predates esx-lab-haswell' }
        @{ Vm = 'vm-lab-unmasked'; Status = 'Unmasked'; Because = 'the Lab hosts differ and it has no mask' }
        @{ Vm = 'vm-dev-pending'; Status = 'PendingPowerCycle'; Because = 'its mask was written after it powered on' }
        @{ Vm = 'vm-dev-unmasked'; Status = 'Unmasked'; Because = 'it powered on on the bigger host without a mask' }
        @{ Vm = 'vm-dev-evc'; Status = 'Compliant'; Because = 'per-VM EVC intel-haswell lets it move to the Haswell host' }
        @{ Vm = 'vm-dev-gone'; Status = 'Unknown'; Because = 'its host is disconnected' }
        @{ Vm = 'vm-twin-wider'; Status = 'Wider'; Because = 'it hides AVX2 and FMA, which both Twins have' }
        @{ Vm = 'vm-twin-ok'; Status = 'Compliant'; Because = 'the Twins are identical' }
    )
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
}

AfterAll {
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'Test-VmCpuidMask against the compliance simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $requestLog = Join-Path $TestDrive 'requests.log'
        $vc = Start-TestVCenter -InventoryFile compliance.json -RequestLog $requestLog
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        $All = Test-VmCpuidMask @Connection
        function Get-Requests { @(if (Test-Path -LiteralPath $requestLog) { Get-Content -LiteralPath $requestLog }) }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It '<Vm> is <Status>: <Because>' -ForEach $Statuses {
        $result = $All | Where-Object Name -eq $Vm
        $result.Status | Should -Be $Status -Because $result.Reason
        $result.Compliant | Should -Be ($Status -eq 'Compliant')
    }

    It 'checks every VM of the vCenter without -VM, sorted by name' {
        $All.Count | Should -Be 11
        $All | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidCompliance]) }
    }

    It 'names what blocks a running VM in vCenter''s words, per host' {
        $vm = $All | Where-Object Name -eq vm-dev-unmasked
        $vm.Cluster | Should -Be 'Dev'
        $vm.CannotMoveTo | Should -Be 'esx-dev-haswell'
        $vm.UnknownHosts | Should -Be 'esx-dev-broadwell'
        $vm.BlockingFeatures | Should -Contain 'Advanced Vector Extensions 512 Foundation (AVX512F)'
        $vm.Blockers[0] | Should -BeLike 'esx-dev-haswell: *Advanced Vector Extensions 512 Foundation (AVX512F)*'
        $vm.Basis | Should -BeLike 'runtime.featureRequirement*'
        $vm.FixMask | Should -Not -BeNullOrEmpty
    }

    It 'gives a stale VM the mask its cluster needs now, which Set-VmCpuidMask takes' {
        $vm = $All | Where-Object Name -eq vm-lab-stale
        $vm.NotHidden | Should -Contain 'Advanced Vector Extensions 2 (AVX2)'
        $vm.Fix | Should -BeLike 'Apply the minimal mask for its scope*'
        $vm.FixMask | Should -Match '^cpuid\.[0-9a-f]+(\.[0-9a-f]+)?\.e[abcd]x = "[-0]{32}"$'
        $vm.Fix | Should -BeExactly ("Apply the minimal mask for its scope in place of its CPUID masks with Set-VmCpuidMask -Server {0} -VM vm-lab-stale -Mask {1} -Replace." -f
            ([uri]$vc.Url).Authority, (($vm.FixMask | ForEach-Object { "'$_'" }) -join ', '))
    }

    It 'words every fix in the module''s cmdlets, never in the cpuidmask program''s commands or options' {
        $fixes = @($All | Where-Object { -not $_.Compliant } | ForEach-Object Fix)
        $fixes.Count | Should -Be 6
        $fixes | ForEach-Object {
            $_ | Should -Not -BeNullOrEmpty
            $_ | Should -Not -MatchExactly '\bcpuidmask\b'
            $_ | Should -Not -Match '(^|\s)--[a-z]'
        }
        ($All | Where-Object Name -eq vm-twin-wider).Fix | Should -BeLike "Remove its CPUID masks with Set-VmCpuidMask -Server * -VM vm-twin-wider -Mask '' -Replace: *"
        ($All | Where-Object Name -eq vm-dev-unmasked).Fix | Should -BeLike '* -Replace -Force, then power the VM off and on.'
    }

    It 'tells a pending VM to power-cycle, and a wider one which features it hides for nothing' {
        ($All | Where-Object Name -eq vm-dev-pending).Fix | Should -BeLike 'Power the VM off and on*'
        ($All | Where-Object Name -eq vm-dev-pending).CannotMoveTo | Should -Be 'esx-dev-haswell'
        $wider = $All | Where-Object Name -eq vm-twin-wider
        $wider.HiddenNeedlessly | Should -Be 'FMA3', 'Advanced Vector Extensions 2 (AVX2)'
        $wider.Fix | Should -BeLike 'Remove its CPUID masks*'
    }

    It 'says why a VM on a disconnected host is Unknown' {
        ($All | Where-Object Name -eq vm-dev-gone).Reason | Should -BeLike '*esx-dev-broadwell is disconnected*'
    }

    It 'checks against named hosts with -VMHost; one of another vendor blocks' {
        $result = Test-VmCpuidMask vm-lab-stale -VMHost esx-lab-avoton, 'esx-solo-*' @Connection
        $result.Status | Should -Be 'Blocked'
        $result.CanMoveTo | Should -Be 'esx-lab-avoton'
        $result.CannotMoveTo | Should -Be 'esx-solo-epyc'
    }

    It 'checks against every host of the VM''s vendor with -Scope AllHosts' {
        $result = Test-VmCpuidMask vm-twin-ok -Scope AllHosts @Connection
        $result.Status | Should -Be 'Unmasked'
        $result.CannotMoveTo | Should -Contain 'esx-lab-avoton'
        $result.CannotMoveTo | Should -Not -Contain 'esx-solo-epyc'
    }

    It 'returns one boolean with -Quiet' {
        $quiet = @(Test-VmCpuidMask -Quiet @Connection)
        $quiet.Count | Should -Be 1
        $quiet[0] | Should -BeOfType ([bool])
        $quiet[0] | Should -BeFalse
        Test-VmCpuidMask vm-prod-*, vm-twin-ok -Quiet @Connection | Should -BeTrue
    }

    It 'takes PowerCLI VirtualMachine objects from the pipeline, using their connection' {
        Add-FakeVIServer -Name vcc -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
        Connect-VIServer vcc | Out-Null
        try {
            $vms = Get-VM vm-lab-*

            $result = $vms | Test-VmCpuidMask -Thumbprint $vc.Thumbprint

            $result.Name | Should -Be 'vm-lab-stale', 'vm-lab-unmasked'
            $result.Status | Should -Be 'Stale', 'Unmasked'
            $result[0].Id | Should -Be $vms[0].Id
        }
        finally {
            Disconnect-VIServer -Server * -Confirm:$false
        }
    }

    It 'reads one VM or all of them in the same round trips' {
        $before = (Get-Requests).Count
        Test-VmCpuidMask vm-prod-off @Connection | Out-Null
        $one = @(Get-Requests | Select-Object -Skip $before | Where-Object { $_ -notin 'RetrieveServiceContent', 'Login', 'Logout' })
        $before = (Get-Requests).Count
        Test-VmCpuidMask @Connection | Out-Null
        $all = @(Get-Requests | Select-Object -Skip $before | Where-Object { $_ -notin 'RetrieveServiceContent', 'Login', 'Logout' })
        $all.Count | Should -Be $one.Count
        $all.Count | Should -BeLessOrEqual 14
    }

    It 'exports to CSV with lists joined by "; " and to JSON with the status as a word' {
        $csvPath = Join-Path $TestDrive 'compliance.csv'
        $All | Export-Csv -LiteralPath $csvPath -NoTypeInformation
        $rows = Import-Csv -LiteralPath $csvPath
        $rows.Count | Should -Be 11
        $row = $rows | Where-Object Name -eq vm-dev-unmasked
        $row.Status | Should -Be 'Unmasked'
        $row.CanMoveTo | Should -Be ''
        $row.UnknownHosts | Should -Be 'esx-dev-broadwell'
        $row.BlockingFeatures | Should -BeLike '*; Advanced Vector Extensions 512 Foundation (AVX512F); *'
        ($rows | Where-Object Name -eq vm-lab-stale).FixMask | Should -BeLike 'cpuid.*; cpuid.*'

        $json = $All | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        ($json | Where-Object Name -eq vm-dev-pending).Status | Should -Be 'PendingPowerCycle'
        ($json | Where-Object Name -eq vm-lab-stale).FixMask.Count | Should -BeGreaterThan 1

        $html = $All | ConvertTo-Html -Property Name, Status, CannotMoveTo, Fix | Out-String
        $html | Should -BeLike '*<td>vm-dev-unmasked</td><td>Unmasked</td><td>esx-dev-haswell</td>*'
    }

    It 'reports a host whose features changed since a snapshot, and the VMs it now blocks' {
        $snapshot = Join-Path $TestDrive 'hosts.json'
        # As if esx-dev-haswell had been a Cascade Lake when the snapshot was taken: it has lost AVX-512 since.
        $hosts = Get-HostCpuid esx-dev-* @Connection -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $cascade = $hosts | Where-Object Name -eq esx-dev-cascade
        $cascade | Export-CpuidProfile -Path $snapshot
        (Get-Content -LiteralPath $snapshot -Raw).Replace('"esx-dev-cascade"', '"esx-dev-haswell"') | Set-Content -LiteralPath $snapshot

        $output = Test-VmCpuidMask vm-dev-unmasked, vm-twin-ok -SnapshotPath $snapshot @Connection
        $drift = $output | Where-Object { $_ -is [CpuidMask.PowerShell.CpuidHostDrift] }

        $drift.HostName | Should -Be 'esx-dev-haswell'
        $drift.Lost | Should -Contain 'Advanced Vector Extensions 512 Foundation (AVX512F)'
        $drift.BlockedVms | Should -Be 'vm-dev-unmasked'
        Test-VmCpuidMask vm-twin-ok -SnapshotPath $snapshot -Quiet @Connection | Should -BeFalse
    }

    It 'refuses a snapshot file that is not there, naming it' {
        { Test-VmCpuidMask vm-twin-ok -SnapshotPath (Join-Path $TestDrive 'nope.json') @Connection -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProfileFileNotFound,*'
    }

    It 'writes the HTML report to -HtmlPath as well, with -Quiet too' {
        $report = Join-Path $TestDrive 'report.html'
        Test-VmCpuidMask -Quiet -HtmlPath $report @Connection | Should -BeFalse
        $html = Get-Content -LiteralPath $report -Raw
        $html | Should -BeLike '<!DOCTYPE html>*'
        $html | Should -Match '<td class="c no" aria-label="cannot move" title="vm-dev-unmasked cannot move to esx-dev-haswell:\n[^"]*Advanced Vector Extensions 512 Foundation \(AVX512F\)'
        $html | Should -BeLike '*<tfoot><tr><th scope="row">All</th><td class="n">11</td>*'
        # The fixes as Test-VmCpuidMask words them, not as the cpuidmask program would.
        $html | Should -BeLike '*<td class="fix">Apply the minimal mask for its scope in place of its CPUID masks with Set-VmCpuidMask -Server *'
        $html | Should -Not -MatchExactly '\bcpuidmask (apply|vm-mask)\b'
        @(Get-ChildItem -LiteralPath $TestDrive -Filter '*.tmp' -Force).Count | Should -Be 0
    }

    It 'writes -HtmlPath relative to the current location, and names a folder that does not exist before reading vCenter' {
        Push-Location -LiteralPath $TestDrive
        try { Test-VmCpuidMask vm-twin-ok -HtmlPath relative.html @Connection | Out-Null } finally { Pop-Location }
        Join-Path $TestDrive 'relative.html' | Should -Exist
        $missing = Join-Path $TestDrive 'no-such-folder' 'report.html'
        $before = (Get-Requests).Count
        { Test-VmCpuidMask vm-twin-ok -HtmlPath $missing @Connection -ErrorAction Stop } |
            Should -Throw -ErrorId 'HtmlReportUnwritable,CpuidMask.PowerShell.Commands.TestVmCpuidMaskCommand' -ExpectedMessage "*$missing*does not exist*"
        (Get-Requests).Count | Should -Be $before
    }

    It 'applies the fix of a stale VM with Set-VmCpuidMask, after which the VM is compliant' {
        $stale = Test-VmCpuidMask vm-lab-stale @Connection

        Set-VmCpuidMask -VM vm-lab-stale -Mask ($stale.FixMask -join "`n") -Replace -Confirm:$false @Connection | Out-Null

        $after = Test-VmCpuidMask vm-lab-stale @Connection
        $after.Status | Should -Be 'Compliant' -Because $after.Reason
        $after.CanMoveTo | Should -Be 'esx-lab-avoton', 'esx-lab-haswell'
    }

    It 'writes an error for a VM name that matches none and checks the others' {
        $result = Test-VmCpuidMask vm-nope, vm-twin-ok @Connection -ErrorVariable errors -ErrorAction SilentlyContinue
        $result.Name | Should -Be 'vm-twin-ok'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmNotFound,*'
    }
}

Describe 'Test-VmCpuidMask fixes, run as Fix words them' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter -InventoryFile compliance.json
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        # Each command of a fix: a cmdlet of the module, naming the vCenter and the VM, up to where the sentence goes on.
        $CommandPattern = '(?<command>(?:Set|Get)-Vm\w+ -Server .*?)(?=, then |: the hosts | and Set-|, and power | shows them|\.$)'
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'does what each fix says when its commands are run as written, with the credential added' {
        # A per-VM EVC mode lower than the twins need makes vm-twin-ok Wider, with a better mode to apply.
        Set-VmEvcMode vm-twin-ok -Baseline intel-westmere -Confirm:$false @Connection | Out-Null
        $before = Test-VmCpuidMask @Connection
        $ran = foreach ($vm in $before | Where-Object { $_.Fix -match 'Set-Vm' }) {
            foreach ($match in [regex]::Matches($vm.Fix, $CommandPattern)) {
                $command = $match.Groups['command'].Value
                & ([scriptblock]::Create($command + ' -Credential $vc.Credential -Thumbprint $vc.Thumbprint -Confirm:$false -WarningAction SilentlyContinue -ErrorAction Stop')) | Out-Null
                '{0}: {1}' -f $vm.Name, $command
            }
        }

        $ran | Where-Object { $_ -like 'vm-lab-stale: *' } | Should -BeLike 'vm-lab-stale: Set-VmCpuidMask -Server * -VM vm-lab-stale -Mask ''cpuid.*'' -Replace' -Because ($ran -join "`n")
        $ran | Where-Object { $_ -like 'vm-dev-unmasked: *' } | Should -BeLike '* -Replace -Force'
        $ran | Where-Object { $_ -like 'vm-twin-wider: *' } | Should -BeLike "* -Mask '' -Replace"
        $ran | Where-Object { $_ -like 'vm-twin-ok: *' } | Should -BeLike 'vm-twin-ok: Set-VmEvcMode -Server * -VM vm-twin-ok -Baseline intel-*'
        $after = Test-VmCpuidMask @Connection
        foreach ($name in 'vm-lab-stale', 'vm-lab-unmasked', 'vm-twin-wider', 'vm-twin-ok') {
            $result = $after | Where-Object Name -eq $name
            $result.Status | Should -Be 'Compliant' -Because "$name : $($result.Reason)"
        }
        # Written while it runs: the mask takes effect at its next power-on, as the fix says.
        ($after | Where-Object Name -eq vm-dev-unmasked).Status | Should -Be 'PendingPowerCycle'
    }
}

Describe 'Test-VmCpuidMask across two vCenters in one run' -Skip:(-not $HasSimulator) {
    BeforeAll {
        # Two simulators of the same inventory: the same names and references, told apart only by their address.
        # One certificate for both, so one -Thumbprint serves the command.
        $certificate = Join-Path $TestDrive 'vcsim-cert.pem'
        $vc1 = Start-TestVCenter -InventoryFile compliance.json -CertificateKeyPath $certificate
        $vc2 = Start-TestVCenter -InventoryFile compliance.json -CertificateKeyPath $certificate
        Add-FakeVIServer -Name vca -Url $vc1.Url -Thumbprint $vc1.Thumbprint -Credential $vc1.Credential
        Add-FakeVIServer -Name vcb -Url $vc2.Url -Thumbprint $vc2.Thumbprint -Credential $vc2.Credential
        $server1 = Connect-VIServer vca
        $server2 = Connect-VIServer vcb
    }

    AfterAll {
        Disconnect-VIServer -Server * -Confirm:$false
        Stop-TestVCenter $vc1
        Stop-TestVCenter $vc2
    }

    It 'checks each VM against the hosts of its own vCenter' {
        # On vcb, esx-lab-haswell is not in the scope of vm-lab-stale's mask any more: move the VM's mask there first.
        $stale = Test-VmCpuidMask vm-lab-stale -Server $vc2.Url -Credential $vc2.Credential -Thumbprint $vc2.Thumbprint
        Set-VmCpuidMask -VM vm-lab-stale -Mask ($stale.FixMask -join "`n") -Replace -Confirm:$false -Server $vc2.Url -Credential $vc2.Credential -Thumbprint $vc2.Thumbprint | Out-Null

        $results = @(Get-VM vm-lab-stale -Server $server1) + @(Get-VM vm-lab-stale -Server $server2) | Test-VmCpuidMask -Thumbprint $vc1.Thumbprint

        $results.Count | Should -Be 2
        ($results.Server | Sort-Object -Unique).Count | Should -Be 2
        ($results | Where-Object Server -eq ([uri]$vc1.Url).Authority).Status | Should -Be 'Stale'
        ($results | Where-Object Server -eq ([uri]$vc2.Url).Authority).Status | Should -Be 'Compliant'
        $results | ForEach-Object { $_.CanMoveTo | Should -Contain 'esx-lab-avoton' }
    }
}

Describe 'Test-VmCpuidMask progress against a vCenter that answers in small pages' -Skip:(-not $HasSimulator) {
    BeforeAll {
        # Two objects a page, whatever the module asks: eleven VMs and hosts take six pages each, as thousands take
        # many of 500 on a real vCenter.
        $vc = Start-TestVCenter -InventoryFile compliance.json -MaxObjects 2
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        $Server = $vc.Host
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'shows every VM and every host read page by page, and clears it before the first result' {
        $run = Invoke-WithProgress {
            param($Connection)
            Test-VmCpuidMask @Connection | Add-ProgressMark
        } @{ Connection = $Connection }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 11
        $run.Output | ForEach-Object { $_ | Should -BeLike '* after Completed' }
        $run.Progress.Activity | Sort-Object -Unique | Should -Be 'Reading vCenter inventory'
        $statuses = @($run.Progress | Where-Object RecordType -eq 'Processing').StatusDescription
        $statuses | Where-Object { $_ -like '*VM*' } | Should -Be @(
            foreach ($n in 2, 4, 6, 8, 10, 11) { "${Server}: $n VM names read" }
            foreach ($n in 2, 4, 6, 8, 10, 11) { "${Server}: $n of 11 VMs read" })
        # Every host of the vCenter, a number it does not tell in advance.
        $statuses | Where-Object { $_ -like '*hosts read' -and $_ -notlike '* of *' } | Should -Be @(
            foreach ($n in 2, 4, 6, 8, 10, 11) { "${Server}: $n hosts read" })
        ($run.Progress | Where-Object StatusDescription -eq "${Server}: 2 hosts read").PercentComplete | Should -Be -1
        ($run.Progress | Where-Object StatusDescription -eq "${Server}: 2 of 11 VMs read").PercentComplete | Should -Be 18
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }
}
