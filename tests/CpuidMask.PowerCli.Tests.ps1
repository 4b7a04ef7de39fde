#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The cmdlets fed with PowerCLI's objects (Get-VMHost, Get-VM) and sessions ($global:DefaultVIServer(s)), through
# the fakes of PowerCliFakes.psm1: PowerCLI's own type names and shapes, read from a running simulator.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
    $Mask = Get-HostCpuid -Path $Avoton, $IvyBridge | New-VmCpuidMask
    $SavedDefault = Get-Variable -Name DefaultVIServer -Scope Global -ValueOnly -ErrorAction SilentlyContinue
    $SavedAll = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue

    function Get-MaskLine {
        # A VM's CPUID mask keys as .vmx lines, read with PowerCLI's view of the VM, not with CpuidMask.
        param([Parameter(Mandatory)] $VM)
        @($VM.ExtensionData.Config.ExtraConfig | Where-Object { $_.Key -like 'cpuid.*' -or $_.Key -like 'featMask.vm.cpuid.*' } |
            ForEach-Object { '{0} = "{1}"' -f $_.Key, $_.Value } | Sort-Object)
    }
}

AfterAll {
    $global:DefaultVIServer = $SavedDefault
    $global:DefaultVIServers = $SavedAll
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'The PowerCLI fakes' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
        $server = Connect-VIServer vc01
    }

    AfterAll {
        Disconnect-VIServer -Server * -Confirm:$false
        Stop-TestVCenter $vc
    }

    It 'connect like PowerCLI: a VIServerImpl that is the default server and exposes its session' {
        $server.pstypenames[0] | Should -Be 'VMware.VimAutomation.ViCore.Impl.V1.VIServerImpl'
        $server.Name | Should -Be '127.0.0.1' -Because 'vc01 stands for the simulator''s address'
        $server.Port | Should -Be $vc.Port
        $server.ServiceUri | Should -Be ([uri]$vc.Url)
        $server.IsConnected | Should -BeTrue
        $server.SessionSecret | Should -Not -BeNullOrEmpty
        $server.User | Should -Be $vc.UserName
        $server.Id | Should -Be "/VIServer=$($vc.UserName)@127.0.0.1:$($vc.Port)/"
        "$server" | Should -Be '127.0.0.1'
        $global:DefaultVIServer | Should -Be $server
        $global:DefaultVIServers | Should -Contain $server
    }

    It 'return hosts and VMs of PowerCLI''s types, with the simulator''s references' {
        $vmhost = Get-VMHost esx-ivy-01
        $vm = Get-VM vm-web01

        $vmhost.pstypenames[0] | Should -Be 'VMware.VimAutomation.ViCore.Impl.V1.Inventory.VMHostImpl'
        $vm.pstypenames[0] | Should -Be 'VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl'
        $vmhost.ExtensionData.GetType().FullName | Should -Be 'VMware.Vim.HostSystem'
        $vm.ExtensionData.GetType().FullName | Should -Be 'VMware.Vim.VirtualMachine'
        $vmhost.ExtensionData.MoRef.GetType().FullName | Should -Be 'VMware.Vim.ManagedObjectReference'
        $vmhost.Id | Should -Match '^HostSystem-host-\d+$'
        $vm.Id | Should -Match '^VirtualMachine-vm-\d+$'
        $vmhost.Id | Should -Be ('HostSystem-' + $vmhost.ExtensionData.MoRef.Value)
        $vmhost.Uid | Should -Be ('{0}VMHost={1}/' -f $server.Id, $vmhost.Id)
        $vm.Uid | Should -Be ('{0}VirtualMachine={1}/' -f $server.Id, $vm.Id)
        $vm.VMHost.Name | Should -Be 'esx-avoton-01'
        $vm.PowerState | Should -Be 'PoweredOff'
        "$vm" | Should -Be 'vm-web01'
    }

    It 'name the same references as the module reads by name' {
        $byName = Get-HostCpuid esx-ivy-01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint

        ($byName.Source -split '/')[-1] | Should -Be (Get-VMHost esx-ivy-01).ExtensionData.MoRef.Value
        (Get-VmCpuidMask vm-web01 -Server $vc.Url -Credential $vc.Credential -Thumbprint $vc.Thumbprint).Id | Should -Be (Get-VM vm-web01).Id
    }

    It 'report a name that matches nothing as PowerCLI does, and go on' {
        $vms = Get-VM vm-web01, vm-nope -ErrorVariable errors -ErrorAction SilentlyContinue

        $vms.Name | Should -Be 'vm-web01'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'Core_OutputHelper_WriteNotFoundError*'
    }

    It 'list a folder''s and a cluster''s VMs' {
        (Get-VM -Location Web).Name | Should -Be 'vm-doc04', 'vm-doc05'
        (Get-Cluster Prod | Get-VMHost).Name | Should -Be 'esx-broadwell-01', 'esx-haswell-01', 'esx-skylake-01'
        (Get-Cluster Prod | Get-VM).VMHost.Name | Sort-Object -Unique | Should -Be 'esx-haswell-01', 'esx-skylake-01'
    }
}

Describe 'CpuidMask on PowerCLI objects and sessions' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
        $null = Connect-VIServer vc01
    }

    AfterAll {
        Disconnect-VIServer -Server * -Confirm:$false
        Stop-TestVCenter $vc
    }

    It 'Get-VMHost | Get-HostCpuid reads every host by its reference, on PowerCLI''s session' {
        $vmhosts = Get-VMHost

        $profiles = $vmhosts | Get-HostCpuid -Thumbprint $vc.Thumbprint

        $profiles.Name | Should -Be $vmhosts.Name
        $profiles.Format | Sort-Object -Unique | Should -Be 'VSphere'
        foreach ($vmhost in $vmhosts) {
            ($profiles | Where-Object Name -eq $vmhost.Name).Source | Should -BeLike "*/$($vmhost.ExtensionData.MoRef.Value)"
        }
        $global:DefaultVIServer.IsConnected | Should -BeTrue -Because 'a borrowed session is not logged out'
    }

    It 'Get-VM | Get-VmCpuidMask shows what each VM holds' {
        $vms = Get-VM vm-web01, vm-undo01

        $info = $vms | Get-VmCpuidMask -Thumbprint $vc.Thumbprint

        $info.Id | Sort-Object | Should -Be ($vms.Id | Sort-Object)
        foreach ($vm in $vms) {
            @(($info | Where-Object Id -eq $vm.Id).Lines | Sort-Object) | Should -Be (Get-MaskLine $vm)
        }
    }

    It 'Get-VM | Set-VmCpuidMask -Mask writes each VM, and PowerCLI reads the mask back' {
        $changes = Get-VM vm-web02, vm-idem01 | Set-VmCpuidMask -Mask $Mask -Thumbprint $vc.Thumbprint -Confirm:$false -PassThru

        $changes.VM | Should -Be 'vm-web02', 'vm-idem01'
        $changes.Verified | Should -Be $true, $true
        Get-MaskLine (Get-VM vm-web02) | Should -Be ($WorkedCaseLines | Sort-Object)
        Get-MaskLine (Get-VM vm-idem01) | Should -Be ($WorkedCaseLines | Sort-Object)
        Get-MaskLine (Get-VM vm-web01) | Should -Be 'cpuid.1.edx = "-------------------------------0"' -Because 'only the piped VMs change'
    }

    It 'refuses a closed PowerCLI session (Disconnect-VIServer) and says to connect again' {
        $vm = Get-VM vm-stale01
        Disconnect-VIServer -Confirm:$false
        try {
            { $vm | Get-VmCpuidMask -Thumbprint $vc.Thumbprint } | Should -Throw -ErrorId 'NoVCenterSession,CpuidMask.PowerShell.Commands.GetVmCpuidMaskCommand'
        }
        finally {
            $null = Connect-VIServer vc01
        }
    }
}

Describe 'Two vCenters in $global:DefaultVIServers' -Skip:(-not $HasSimulator) {
    BeforeAll {
        # Both simulators start from the same inventory, so their references are the same (vm-69 on each), and
        # both are 127.0.0.1: only the port of the vCenter an object came from tells them apart. One certificate for both, so that one
        # -Thumbprint serves a command that talks to both.
        $certificate = Join-Path $TestDrive 'vcsim-cert.pem'
        $vc1 = Start-TestVCenter -CertificateKeyPath $certificate -RequestLog (Join-Path $TestDrive 'vc01-requests.log')
        $vc2 = Start-TestVCenter -CertificateKeyPath $certificate -RequestLog (Join-Path $TestDrive 'vc02-requests.log')
        function Get-RequestCount { param($VCenter) @(Get-Content -LiteralPath $VCenter.RequestLog).Count }
        Add-FakeVIServer -Name vc01 -Url $vc1.Url -Thumbprint $vc1.Thumbprint -Credential $vc1.Credential
        Add-FakeVIServer -Name vc02 -Url $vc2.Url -Thumbprint $vc2.Thumbprint -Credential $vc2.Credential
        $server1 = Connect-VIServer vc01
        $server2 = Connect-VIServer vc02
        $Thumbprint = $vc1.Thumbprint
    }

    AfterAll {
        Disconnect-VIServer -Server * -Confirm:$false
        Stop-TestVCenter $vc1
        Stop-TestVCenter $vc2
    }

    It 'has both connections, the newest as the default, and the same references on both' {
        $vc2.Thumbprint | Should -Be $vc1.Thumbprint
        $global:DefaultVIServers.Count | Should -Be 2
        $global:DefaultVIServers[0] | Should -Be $server2
        $global:DefaultVIServers[1] | Should -Be $server1
        $global:DefaultVIServer | Should -Be $server2
        (Get-VM vm-batch01 -Server $server1).Id | Should -Be (Get-VM vm-batch01 -Server $server2).Id
    }

    It 'never writes to another VM that carries the reference there: a VM of vc01 sent to vc02 is refused by name' {
        # On vc02 the VM that has vm-stale01's reference on vc01 gets another name: the same reference, another VM.
        $ofVc1 = Get-VM vm-stale01 -Server $server1
        $null = Get-VM vm-stale01 -Server $server2 | Set-VM -Name vm-other01 -Confirm:$false
        (Get-VM vm-other01 -Server $server2).Id | Should -Be $ofVc1.Id

        $changes = $ofVc1 | Set-VmCpuidMask -Mask $Mask -Server $server2 -Thumbprint $Thumbprint -Confirm:$false -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue

        $changes | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmNotFound,*'
        $errors[0].Exception.Message | Should -BeLike "*vm-stale01 ($($ofVc1.ExtensionData.MoRef.Value)) is not on*there is vm-other01*Nothing was done to vm-other01*"
        Get-MaskLine (Get-VM vm-other01 -Server $server2) | Should -BeNullOrEmpty -Because 'the VM of vc02 that carries the reference is not touched'
        Get-MaskLine (Get-VM vm-stale01 -Server $server1) | Should -BeNullOrEmpty -Because 'nothing was sent to vc01 either'

        # Without -Server the object goes to the vCenter it came from, whatever the default is.
        $written = $ofVc1 | Set-VmCpuidMask -Mask $Mask -Thumbprint $Thumbprint -Confirm:$false -PassThru
        $written.Verified | Should -BeTrue
        Get-MaskLine (Get-VM vm-stale01 -Server $server1) | Should -Be ($WorkedCaseLines | Sort-Object)
        Get-MaskLine (Get-VM vm-other01 -Server $server2) | Should -BeNullOrEmpty
    }

    It 'reads hosts from both, each from its own vCenter' {
        $vmhosts = Get-VMHost esx-ivy-01
        $before1 = Get-RequestCount $vc1
        $before2 = Get-RequestCount $vc2

        $profiles = $vmhosts | Get-HostCpuid -Thumbprint $Thumbprint

        $vmhosts.Count | Should -Be 2
        $profiles.Count | Should -Be 2
        $profiles.Name | Should -Be 'esx-ivy-01', 'esx-ivy-01'
        (Get-RequestCount $vc1) | Should -BeGreaterThan $before1 -Because 'the host of vc01 is read on vc01'
        (Get-RequestCount $vc2) | Should -BeGreaterThan $before2 -Because 'the host of vc02 is read on vc02'
    }

    It 'writes each VM object to the vCenter it came from' {
        $fromFirst = Get-VM vm-batch01 -Server $server1
        $fromSecond = Get-VM vm-idem01 -Server $server2

        $changes = $fromFirst, $fromSecond | Set-VmCpuidMask -Mask $Mask -Thumbprint $Thumbprint -Confirm:$false -PassThru

        $changes.Verified | Should -Be $true, $true
        Get-MaskLine (Get-VM vm-batch01 -Server $server1) | Should -Be ($WorkedCaseLines | Sort-Object)
        Get-MaskLine (Get-VM vm-idem01 -Server $server2) | Should -Be ($WorkedCaseLines | Sort-Object)
        Get-MaskLine (Get-VM vm-batch01 -Server $server2) | Should -BeNullOrEmpty -Because 'vm-batch01 of vc02 is another VM with the same reference'
        Get-MaskLine (Get-VM vm-idem01 -Server $server1) | Should -BeNullOrEmpty
    }

    It 'reads a VM name from the default vCenter, and -Server naming one picks it' {
        (Get-VmCpuidMask vm-batch01 -Thumbprint $Thumbprint).HasMask | Should -BeFalse -Because 'vc02 is the default server and its vm-batch01 has no mask'
        (Get-VmCpuidMask vm-batch01 -Server "127.0.0.1:$($vc1.Port)" -Thumbprint $Thumbprint).HasMask | Should -BeTrue
        (Get-VmCpuidMask vm-batch01 -Server $server1 -Thumbprint $Thumbprint).HasMask | Should -BeTrue
        (Get-VmCpuidMask vm-idem01 -Server "127.0.0.1:$($vc2.Port)" -Thumbprint $Thumbprint).HasMask | Should -BeTrue
    }

    It 'refuses an object of a vCenter that was disconnected, and still serves the other' {
        $fromSecond = Get-VM vm-web01 -Server $server2
        $fromFirst = Get-VM vm-web01 -Server $server1
        Disconnect-VIServer -Server $server2 -Confirm:$false
        try {
            { $fromSecond | Get-VmCpuidMask -Thumbprint $Thumbprint } | Should -Throw -ErrorId 'NoVCenterSession,CpuidMask.PowerShell.Commands.GetVmCpuidMaskCommand'
            ($fromFirst | Get-VmCpuidMask -Thumbprint $Thumbprint).Id | Should -Be $fromFirst.Id
        }
        finally {
            $server2 = Connect-VIServer vc02
        }
    }
}
