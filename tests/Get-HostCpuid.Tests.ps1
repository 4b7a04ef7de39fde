#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
    # Named pipes in the file system (mkfifo) exist on Linux and macOS only; elsewhere there is no such case to run.
    $FifoCases = if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows -and (Get-Command mkfifo -ErrorAction SilentlyContinue)) { @(@{ Name = 'host.fifo' }) } else { @() }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
    $CanRunCpuid = $PSVersionTable.PSEdition -eq 'Core' -and
        [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -in 'X64', 'X86'
}

AfterAll {
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'Get-HostCpuid from dump files' {
    It 'reads the two sample hosts of the worked case, named after their files' {
        $hosts = Get-HostCpuid -Path $Avoton, $IvyBridge

        $hosts.Count | Should -Be 2
        $hosts[0] | Should -BeOfType ([CpuidMask.Engine.Model.CpuidProfile])
        $hosts.Name -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k'
        $hosts.Vendor | Sort-Object -Unique | Should -Be 'GenuineIntel'
        $hosts.Model -join ',' | Should -Be '77,58'
        $hosts[0].Brand | Should -BeLike '*Atom*C2750*'
        $hosts.Format | Sort-Object -Unique | Should -Be 'InstLatx64'
    }

    It 'expands wildcards in -Path' {
        (Get-HostCpuid -Path (Join-Path $Samples '*.txt')).Count | Should -Be 2
    }

    It 'reads files piped from Get-ChildItem' {
        $hosts = Get-ChildItem -LiteralPath $Samples -Filter '*.txt' | Get-HostCpuid

        ($hosts.Name | Sort-Object) -join ',' | Should -Be 'avoton-c2750,ivybridge-i7-3770k'
    }

    It 'binds -LiteralPath by the PSPath property name' {
        $hosts = Get-ChildItem -LiteralPath $Samples -Filter 'avoton*' | Get-HostCpuid -Cpu 0

        $hosts.Name | Should -Be 'avoton-c2750'
    }

    It 'reads the logical CPU chosen with -Cpu' {
        $second = Get-HostCpuid -Path $Avoton -Cpu 1

        # Leaf 1 EBX bits 31-24 hold the initial APIC ID: 2 for the dump's CPU #2.
        ($second.GetLeaf(1, 0).Registers.Ebx -shr 24) | Should -Be 2
    }

    It 'reports a CPU index beyond the dump as CpuIndexOutOfRange' {
        { Get-HostCpuid -Path $Avoton -Cpu 4000 -ErrorAction Stop } | Should -Throw -ErrorId 'CpuIndexOutOfRange,CpuidMask.PowerShell.Commands.GetHostCpuidCommand'
    }

    It 'reports a missing file as an error for that file and reads the others' {
        $missing = Join-Path $TestDrive 'missing.txt'

        $hosts = Get-HostCpuid -LiteralPath $Avoton, $missing -ErrorVariable errors -ErrorAction SilentlyContinue

        $hosts.Name | Should -Be 'avoton-c2750'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileFileNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reports a file of no known format as ProfileFormatUnknown' {
        $junk = Join-Path $TestDrive 'notes.txt'
        Set-Content -LiteralPath $junk -Value 'nothing about CPUs here'

        Get-HostCpuid -Path $junk -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileFormatUnknown,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'shows progress while reading several dumps, and clears it at the end' {
        $run = Invoke-WithProgress { param($Folder) Get-HostCpuid -Path (Join-Path $Folder '*.txt') } @{ Folder = $Samples }

        $run.Output.Count | Should -Be 2
        $reading = $run.Progress | Where-Object Activity -eq 'Reading CPUID dumps'
        $reading.StatusDescription | Select-Object -First 2 | Should -Be 'avoton-c2750.txt (1 of 2)', 'ivybridge-i7-3770k.txt (2 of 2)'
        $reading[-1].RecordType | Should -Be 'Completed'
        $reading[-1].StatusDescription | Should -Be '2 of 2 done'
    }

    It 'shows the same progress for dumps piped from Get-ChildItem, each profile or error in the order the files came' {
        $dumps = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'piped')
        Set-Content -LiteralPath (Join-Path $dumps 'b-notes.txt') -Value 'nothing about CPUs here'
        Copy-Item -LiteralPath $Avoton, $IvyBridge -Destination $dumps

        $run = Invoke-WithProgress { param($Folder) Get-ChildItem -LiteralPath $Folder -Filter '*.txt' | Get-HostCpuid 2>&1 | Add-ProgressMark } @{ Folder = $dumps.FullName }

        $reading = @($run.Progress | Where-Object Activity -eq 'Reading CPUID dumps')
        $reading.StatusDescription | Should -Be 'avoton-c2750.txt (1 of 3)', 'b-notes.txt (2 of 3)', 'ivybridge-i7-3770k.txt (3 of 3)', '3 of 3 done'
        $reading.PercentComplete | Should -Be 0, 33, 66, 100
        $reading[-1].RecordType | Should -Be 'Completed'
        # Each file's profile or error as soon as it is read, while the bar is up.
        $run.Output | Should -Be 'avoton-c2750 after Processing', 'ProfileFormatUnknown,CpuidMask.PowerShell.Commands.GetHostCpuidCommand after Processing', 'ivybridge-i7-3770k after Processing'
    }

    It 'shows profiles as a table' {
        (Get-HostCpuid -Path $Avoton | Out-String) | Should -BeLike '*Name*Vendor*Family*avoton-c2750*GenuineIntel*0x6*0x4D*'
    }
}

Describe 'Get-HostCpuid on damaged, partial and unreadable files' {
    BeforeAll {
        $avotonLines = Get-Content -LiteralPath $Avoton
        $withoutLeaf7 = Join-Path $TestDrive 'no-leaf-7.txt'
        $avotonLines | Where-Object { $_ -notlike 'CPUID 00000007:*' } | Set-Content -LiteralPath $withoutLeaf7
    }

    It 'reports a dump with a damaged keyword as DumpLineMalformed naming file and line, and reads the others' {
        $damaged = Join-Path $TestDrive 'cpuiq.txt'
        $lines = @($avotonLines)
        $lines[2] = 'CPUIQ' + $lines[2].Substring(5)
        $lines | Set-Content -LiteralPath $damaged

        $hosts = Get-HostCpuid -LiteralPath $damaged, $IvyBridge -ErrorVariable errors -ErrorAction SilentlyContinue

        $hosts.Name | Should -Be 'ivybridge-i7-3770k'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'DumpLineMalformed,CpuidMask.PowerShell.Commands.GetHostCpuidCommand'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errors[0].TargetObject | Should -Be $damaged
        $errors[0].Exception.Message | Should -BeLike "$damaged line 3: 'CPUIQ 00000001: *' is not 'CPUID <8 hex>: *"
    }

    It 'reports a dump missing a leaf as ProfileIncomplete and names -AllowPartial' {
        Get-HostCpuid -Path $withoutLeaf7 -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileIncomplete,*'
        $errors[0].Exception.Message | Should -BeLike "*no-leaf-7.txt: logical CPU 0 (from line 2) lacks leaf 0x7, which a full CPUID dump always reports.*Use -AllowPartial to read it with what it has."
    }

    It 'reads the dump with -AllowPartial, warning which leaves are missing' {
        $profile = Get-HostCpuid -Path $withoutLeaf7 -AllowPartial -WarningVariable warnings -WarningAction SilentlyContinue

        $profile.Name | Should -Be 'no-leaf-7'
        $profile.GetBit(7, 0, 'Ebx', 0) | Should -Be 'Unknown'
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*no-leaf-7.txt is read as a partial profile: logical CPU 0 (from line 2) lacks leaf 0x7;*Features in those leaves are unknown.'
    }

    It 'still refuses a dump without leaf 1 with -AllowPartial' {
        $noLeaf1 = Join-Path $TestDrive 'no-leaf-1.txt'
        $avotonLines | Where-Object { $_ -notlike 'CPUID 00000001:*' } | Set-Content -LiteralPath $noLeaf1

        Get-HostCpuid -Path $noLeaf1 -AllowPartial -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileLeafMissing,*'
    }

    It 'refuses a named pipe at once instead of waiting for a writer' -ForEach $FifoCases {
        $fifo = Join-Path $TestDrive $Name
        & mkfifo $fifo
        $LASTEXITCODE | Should -Be 0

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        Get-HostCpuid -LiteralPath $fifo -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileFileNotRegular,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -BeLike "'$fifo' is a named pipe (FIFO), not a regular file*"
    }

    It 'refuses a file over 32 MB without reading it' {
        $huge = Join-Path $TestDrive 'vmware.log'
        $stream = [System.IO.File]::Create($huge)
        try { $stream.SetLength(40MB) } finally { $stream.Dispose() }

        Get-HostCpuid -LiteralPath $huge -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ProfileFileTooLarge,*'
        $errors[0].Exception.Message | Should -BeLike "Profile file '$huge' is 40 MB; a CPUID source is at most a few MB, and files over 32 MB are not read.*"
    }

    It 'reads a dump with carriage returns alone as line endings' {
        $cr = Join-Path $TestDrive 'cr.txt'
        [System.IO.File]::WriteAllText($cr, ($avotonLines -join "`r"))

        $profile = Get-HostCpuid -LiteralPath $cr

        $profile.Leaves.Count | Should -Be (Get-HostCpuid -LiteralPath $Avoton).Leaves.Count
        $profile.Model | Should -Be 77
    }
}

Describe 'Get-HostCpuid -Local' {
    # One test for both outcomes: where the CPUID instruction can run (PowerShell 7 on x86/x64) it reads this
    # machine, elsewhere it must stop with LocalCpuidUnavailable. A skip would hide one of them on every machine.
    It 'reads this machine with the CPUID instruction, or stops with LocalCpuidUnavailable where it cannot run' {
        if ($CanRunCpuid) {
            $local = Get-HostCpuid -Local

            $local.Format | Should -Be 'Local'
            $local.Name | Should -Be ([Environment]::MachineName)
            $local.Vendor | Should -BeIn 'GenuineIntel', 'AuthenticAMD', 'HygonGenuine', 'CentaurHauls', '  Shanghai  '
        }
        else {
            { Get-HostCpuid -Local } | Should -Throw -ErrorId 'LocalCpuidUnavailable,CpuidMask.PowerShell.Commands.GetHostCpuidCommand'
        }
    }
}

Describe 'Get-HostCpuid without a vCenter session' {
    BeforeAll {
        $savedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $savedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $global:DefaultVIServer = $null
        $global:DefaultVIServers = @()
    }

    AfterAll {
        $global:DefaultVIServer = $savedDefault
        $global:DefaultVIServers = $savedAll
    }

    It 'stops with NoVCenterSession and says to run Connect-VIServer' {
        $thrown = { Get-HostCpuid esx01 } | Should -Throw -ErrorId 'NoVCenterSession,CpuidMask.PowerShell.Commands.GetHostCpuidCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*Connect-VIServer*'
    }

    It 'asks for -Credential when -Server names a vCenter PowerCLI is not connected to' {
        { Get-HostCpuid esx01 -Server vc01.example.com } | Should -Throw -ErrorId 'VCenterCredentialRequired,CpuidMask.PowerShell.Commands.GetHostCpuidCommand'
    }

    It 'refuses a virtual machine given as a host, without connecting' {
        $vm = New-FakeVM -Name vm01 -MoRef vm-42

        Get-HostCpuid -VMHost $vm -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InventoryInputInvalid,*'
        $errors[0].TargetObject.Name | Should -Be 'vm01'
    }

    It 'warns that certificate checks are off every time -SkipCertificateCheck is used' {
        # Nothing listens on port 9 of the loopback address: the warning comes before the connection fails.
        $credential = New-Object System.Management.Automation.PSCredential ('user', (ConvertTo-SecureString 'x' -AsPlainText -Force))
        foreach ($attempt in 1..2) {
            $warnings = $null
            $failure = $null
            try {
                Get-HostCpuid esx01 -Server 'https://127.0.0.1:9/sdk' -Credential $credential -SkipCertificateCheck -WarningVariable warnings -WarningAction SilentlyContinue
            }
            catch {
                $failure = $_
            }

            $failure | Should -Not -BeNullOrEmpty -Because 'nothing answers on port 9'
            ($warnings -join ' ') | Should -BeLike '*TLS certificate checks are OFF*'
        }
    }
}

Describe 'Get-HostCpuid against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'reads hosts by name, pinning the certificate' {
        $hosts = Get-HostCpuid esx-avoton-01, esx-ivy-01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint

        $hosts.Name -join ',' | Should -Be 'esx-avoton-01,esx-ivy-01'
        $hosts.Format | Sort-Object -Unique | Should -Be 'VSphere'
    }

    It 'reads hosts by wildcard, and the worked case mask comes out of them' {
        $hosts = Get-HostCpuid 'esx-avoton-*', 'esx-ivy-*' -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint

        ($hosts | New-VmCpuidMask).Lines -join "`n" | Should -Be ($WorkedCaseLines -join "`n")
    }

    It 'reports a host name that does not exist, and still reads the others' {
        $hosts = Get-HostCpuid esx-avoton-01, esx-nope -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint -ErrorVariable errors -ErrorAction SilentlyContinue

        $hosts.Name | Should -Be 'esx-avoton-01'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'HostNotFound,*'
    }

    It 'refuses a server certificate that does not match the pinned thumbprint' {
        $wrong = ('00:' * 31) + '00'
        { Get-HostCpuid esx-avoton-01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $wrong } | Should -Throw -ErrorId 'VCenterThumbprintMismatch,CpuidMask.PowerShell.Commands.GetHostCpuidCommand'
    }

    It 'reads PowerCLI host objects by their reference, not by name' {
        $byName = Get-HostCpuid esx-ivy-01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint
        $vmhost = Get-VMHost esx-ivy-01 -Server (Connect-VIServer vc01 -NotDefault)

        $profile = $vmhost | Get-HostCpuid -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint

        $profile.Name | Should -Be 'esx-ivy-01'
        $profile.Source | Should -Be $byName.Source
        ($profile.Source -split '/')[-1] | Should -Be $vmhost.ExtensionData.MoRef.Value
    }

    It 'reports a host reference the vCenter does not have, and a namesake on another vCenter, per host' {
        $same = Get-VMHost esx-ivy-01 -Server (Connect-VIServer vc01 -NotDefault)
        $gone = New-FakeVMHost -Name esx-gone-01 -MoRef host-99999
        $other = New-FakeVMHost -Name esx-elsewhere-01 -MoRef $same.ExtensionData.MoRef.Value -Server '/VIServer=administrator@vsphere.local@vc99.example.com:443/'

        $hosts = $gone, $other, $same | Get-HostCpuid -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint -ErrorVariable errors -ErrorAction SilentlyContinue

        $hosts.Name | Should -Be 'esx-ivy-01'
        $errors.Count | Should -Be 2
        $errors.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'HostNotFound,*' }
        $errors.TargetObject.Name | Sort-Object | Should -Be 'esx-elsewhere-01', 'esx-gone-01'
    }

    It 'reuses the PowerCLI session of $global:DefaultVIServer for Get-VMHost''s objects' {
        $savedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $savedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        try {
            $null = Connect-VIServer vc01
            $vmhost = Get-VMHost esx-ivy-01

            $profile = $vmhost | Get-HostCpuid -Thumbprint $vc.Thumbprint

            $profile.Name | Should -Be 'esx-ivy-01'
            ($profile.Source -split '/')[-1] | Should -Be $vmhost.ExtensionData.MoRef.Value
            $global:DefaultVIServer.IsConnected | Should -BeTrue -Because 'the module borrows PowerCLI''s session and leaves it open'
        }
        finally {
            Disconnect-VIServer -Server * -Confirm:$false
            $global:DefaultVIServer = $savedDefault
            $global:DefaultVIServers = $savedAll
        }
    }
}

Describe 'Get-HostCpuid progress against a vCenter that answers in small pages' -Skip:(-not $HasSimulator) {
    BeforeAll {
        # Two objects a page, whatever the module asks: six hosts take three pages, as six thousand take twelve of 500.
        $vc = Start-TestVCenter -MaxObjects 2
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'shows the hosts read page by page, names first, and clears it before the first profile' {
        $run = Invoke-WithProgress {
            param($Connection)
            Get-HostCpuid 'esx-*' @Connection | Add-ProgressMark
        } @{ Connection = $Connection }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 6
        $run.Output | ForEach-Object { $_ | Should -BeLike '* after Completed' }
        $run.Progress.Activity | Sort-Object -Unique | Should -Be 'Reading vCenter inventory'
        $reading = @($run.Progress | Where-Object RecordType -eq 'Processing')
        $reading.StatusDescription | Select-Object -First 6 | Should -Be @(
            "$($vc.Host): 2 host names read", "$($vc.Host): 4 host names read", "$($vc.Host): 6 host names read"
            "$($vc.Host): 2 of 6 hosts read", "$($vc.Host): 4 of 6 hosts read", "$($vc.Host): 6 of 6 hosts read")
        $reading.PercentComplete | Select-Object -First 6 | Should -Be -1, -1, -1, 33, 66, 100
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }
}
