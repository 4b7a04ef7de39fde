#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    Import-PowerCliFakes
}

AfterAll {
    Remove-Module PowerCliFakes -ErrorAction SilentlyContinue
}

Describe 'Get-VmCpuidMask without a vCenter' {
    It 'refuses a host given as a VM, without connecting' {
        $vmhost = New-FakeVMHost -Name esx01 -MoRef host-12

        Get-VmCpuidMask -VM $vmhost -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InventoryInputInvalid,*'
    }
}

Describe 'Get-VmCpuidMask against the vCenter simulator' -Skip:(-not $HasSimulator) {
    BeforeAll {
        $vc = Start-TestVCenter
        $Connection = @{ Server = $vc.Url; Credential = $vc.Credential; Thumbprint = $vc.Thumbprint }
        Add-FakeVIServer -Name vc01 -Url $vc.Url -Thumbprint $vc.Thumbprint -Credential $vc.Credential
    }

    AfterAll {
        Stop-TestVCenter $vc
    }

    It 'shows the masks a VM has, raw and named, and nothing else of its configuration' {
        $vm = Get-VmCpuidMask vm-undo01 @Connection

        $vm | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskInfo])
        $vm.HasMask | Should -BeTrue
        $vm.Lines | Should -Contain 'cpuid.80000001.ecx = "-----------------------0--------"'
        $vm.Lines | Should -Contain 'featMask.vm.cpuid.PCID = "Val:0"'
        ($vm.Lines -join ' ') | Should -Not -BeLike '*guestinfo*'
    }

    It 'shows power state, hardware version, host and the running VM''s feature requirement' {
        $vm = Get-VmCpuidMask vm-batch02 @Connection

        $vm.PowerState | Should -Be 'poweredOn'
        $vm.HardwareVersion | Should -Be 'vmx-13'
        $vm.VMHost | Should -Be 'esx-ivy-01'
        ($vm.FeatureRequirement -join ' ') | Should -BeLike '*cpuid.AVX*'
    }

    It 'expands wildcards and lists each VM once, by name' {
        $vms = Get-VmCpuidMask 'vm-web*', 'vm-web01' @Connection

        $vms.Name -join ',' | Should -Be 'vm-web01,vm-web02'
    }

    It 'reports a VM that does not exist and still reads the others' {
        $vms = Get-VmCpuidMask vm-web01, vm-nope @Connection -ErrorVariable errors -ErrorAction SilentlyContinue

        $vms.Name | Should -Be 'vm-web01'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'VmNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reads Get-VM''s objects by their reference' {
        $id = (Get-VmCpuidMask vm-web01 @Connection).Id
        $vm = Get-VM vm-web01 -Server (Connect-VIServer vc01 -NotDefault)

        $vm.Id | Should -Be $id
        ($vm | Get-VmCpuidMask @Connection).Id | Should -Be $id
    }

    It 'shows each VM as a list with its mask lines whole' {
        (Get-VmCpuidMask vm-web01 @Connection | Out-String) | Should -BeLike '*Name*vm-web01*PowerState*poweredOff*cpuid.1.edx = "-------------------------------0"*'
    }
}
