using System;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    /// <summary>Decoding straight from recorded responses, without the client around it.</summary>
    public class DecodingTests
    {
        private static RetrieveResult Page(string file, string method = "RetrievePropertiesExResponse")
        {
            var doc = VimXml.Parse(Recorded.Text(file));
            var response = doc.Descendants().Single(e => e.Name.LocalName == method);
            return RetrieveResult.FromXml(response.Child("returnval"));
        }

        // Found by the fuzz suite: an object without <obj>, or a CPUID leaf without <level>, was a FormatException
        // (a crash in the shells) instead of the client's ResponseMalformed naming the server.
        [Fact]
        public void ObjectContentWithoutObj_IsResponseMalformedNamingTheServer()
        {
            var returnval = XElement.Parse("<returnval><objects><propSet><name>name</name><val>app01</val></propSet></objects></returnval>");

            var ex = Assert.Throws<CpuidMaskException>(() => RetrieveResult.FromXml(returnval, new Uri("https://vc01.example.com/sdk")));

            Assert.Equal(VimErrorIds.ResponseMalformed, ex.ErrorId);
            Assert.StartsWith("https://vc01.example.com/sdk answered with an object without its reference (<obj>)", ex.Message);
        }

        [Fact]
        public void CpuIdLeafWithoutLevel_IsResponseMalformedNamingTheServerHostAndProperty()
        {
            var returnval = XElement.Parse(
                "<returnval xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><objects><obj type=\"HostSystem\">host-10</obj><propSet><name>hardware.cpuFeature</name>" +
                "<val xsi:type=\"ArrayOfHostCpuIdInfo\"><HostCpuIdInfo><eax>0000:0000:0000:0000:0000:0000:0000:1101</eax></HostCpuIdInfo></val></propSet></objects></returnval>");
            var host = RetrieveResult.FromXml(returnval, new Uri("https://vc01.example.com/sdk")).Objects.Single();

            var ex = Assert.Throws<CpuidMaskException>(() => host.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml));

            Assert.Equal(VimErrorIds.ResponseMalformed, ex.ErrorId);
            Assert.StartsWith("https://vc01.example.com/sdk answered with hardware.cpuFeature of HostSystem:host-10 that cannot be read (HostCpuIdInfo without level)", ex.Message);
        }

        [Fact]
        public void HostCpuIdInfo_NegativeLevels_AreTheExtendedLeaves()
        {
            var host = Page("RetrievePropertiesEx_Hosts_Page1.xml").Objects.First();

            var leaves = host.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml);

            Assert.Equal(new[] { 0, 1, -2147483648, -2147483647 }, leaves.Select(l => l.Level));
            Assert.Equal(new[] { 0u, 1u, 0x80000000u, 0x80000001u }, leaves.Select(l => l.Leaf));
            Assert.Equal("1000:0000:0000:0000:0000:0000:0000:1000", leaves[2].Eax);
            Assert.Null(leaves[0].Vendor);
        }

        [Fact]
        public void ArrayOfWrapper_IsUnwrapped_AndXsiTypeIsReported()
        {
            var host = Page("RetrievePropertiesEx_Hosts_Page1.xml").Objects.First();

            Assert.Equal("ArrayOfHostCpuIdInfo", host.PropSet.Single(p => p.Name == "hardware.cpuFeature").ValType);
            Assert.Equal("string", host.PropSet.Single(p => p.Name == "name").ValType);
            Assert.Equal(4, VimXml.Items(host["hardware.cpuFeature"]).Count());
            Assert.Single(VimXml.Items(host["name"]));
        }

        [Fact]
        public void FeatureCapability_DecodesKeysNamesAndValues()
        {
            var host = Page("RetrievePropertiesEx_Hosts_Page1.xml").Objects.First();

            var caps = host.GetArray("config.featureCapability", HostFeatureCapability.FromXml);

            var avx = caps.Single(c => c.Key == "cpuid.AVX");
            Assert.Equal("cpuid.AVX", avx.FeatureName);
            Assert.Equal("1", avx.Value);
            Assert.Equal("2147483656", caps.Single(c => c.Key == "cpuid.NUM_EXT_LEVELS").Value);
        }

        [Fact]
        public void ExtraConfig_ArrayOfOptionValue_DecodesEscapedAndEmptyValues()
        {
            var vm = Page("RetrievePropertiesEx_Vms.xml").Objects.First();

            var options = vm.GetArray("config.extraConfig", OptionValue.FromXml);

            Assert.Equal("--00-0---0----0-----------------", options.Single(o => o.Key == "cpuid.1.ecx").Value);
            Assert.Equal("Val:0", options.Single(o => o.Key == "featMask.vm.cpuid.AVX").Value);
            Assert.Equal("a & b <c>", options.Single(o => o.Key == "guestinfo.note").Value);
            Assert.Equal(string.Empty, options.Single(o => o.Key == "sched.cpu.latencySensitivity").Value);
        }

        [Fact]
        public void MissingPropertiesAndEmptyPages_DecodeToEmpty()
        {
            var disconnected = Page("ContinueRetrievePropertiesEx_Hosts_Page2.xml", "ContinueRetrievePropertiesExResponse").Objects.Single();

            Assert.Null(disconnected["hardware.cpuFeature"]);
            Assert.Empty(disconnected.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml));
            Assert.Null(Page("ContinueRetrievePropertiesEx_Hosts_Page2.xml", "ContinueRetrievePropertiesExResponse").Token);
            Assert.Empty(Page("RetrievePropertiesEx_Empty.xml").Objects);
        }

        [Fact]
        public void ManagedObjectReference_ValueCarriesTypeAttribute()
        {
            var host = Page("RetrievePropertiesEx_Hosts_Page1.xml").Objects.First();

            Assert.Equal(new ManagedObjectReference("ClusterComputeResource", "domain-c7"), host.GetMoRef("parent"));
        }

        [Fact]
        public void EvcModes_InsideCapability_AreRepeatedElementsNotArrayOfWrappers()
        {
            var si = Page("RetrievePropertiesEx_ServiceInstanceCapability.xml").Objects.Single();

            var modes = si["capability"]!.Children("supportedEVCMode").Select(EVCMode.FromXml).ToArray();

            Assert.Equal(new[] { "intel-westmere", "intel-ivybridge" }, modes.Select(m => m.Key));
            var westmere = modes[0];
            Assert.Equal("intel", westmere.Vendor);
            Assert.Equal(4, westmere.VendorTier);
            Assert.Equal(4, westmere.Track.Count);
            Assert.Equal(1, westmere.GuaranteedCPUFeatures.Single().Level);
            Assert.Equal("Val:0", westmere.FeatureMask.Single(m => m.Key == "cpuid.AVX").Value);
            Assert.Equal("Bool:Min:1", westmere.FeatureRequirement.Single().Value);
            Assert.Equal(2, westmere.FeatureCapability.Count);
        }

        [Fact]
        public void TaskInfo_InError_CarriesTheFaultTypeAndMessage()
        {
            var task = Page("Task_Error_InvalidPowerState.xml").Objects.Single();

            var info = TaskInfo.FromXml(task["info"]!);

            Assert.Equal(TaskInfoState.Error, info.State);
            Assert.Equal("VirtualMachine.reconfigure", info.DescriptionId);
            Assert.Equal("app01", info.EntityName);
            Assert.Equal("InvalidPowerState", info.Error!.FaultType);
            Assert.Contains("Powered on", info.Error.LocalizedMessage);
            Assert.Equal("poweredOn", info.Error.Fault!.Text("existingState"));
        }

        [Theory]
        [InlineData("Task_Queued.xml", TaskInfoState.Queued)]
        [InlineData("Task_Running.xml", TaskInfoState.Running)]
        [InlineData("Task_Success.xml", TaskInfoState.Success)]
        public void TaskInfo_States_Decode(string file, TaskInfoState state)
        {
            Assert.Equal(state, TaskInfo.FromXml(Page(file).Objects.Single()["info"]!).State);
        }

        [Fact]
        public void ServiceContent_DecodesManagersAndAbout_IgnoringManagersItDoesNotKnow()
        {
            var doc = VimXml.Parse(Recorded.Text("RetrieveServiceContent_VC80.xml"));

            var content = ServiceContent.FromXml(doc.Descendants().Single(e => e.Name.LocalName == "returnval"));

            Assert.Equal(new ManagedObjectReference("Folder", "group-d1"), content.RootFolder);
            Assert.Equal(new ManagedObjectReference("PropertyCollector", "propertyCollector"), content.PropertyCollector);
            Assert.Equal(new ManagedObjectReference("ViewManager", "ViewManager"), content.ViewManager);
            Assert.Equal(new ManagedObjectReference("SessionManager", "SessionManager"), content.SessionManager);
            Assert.Equal("VMware vCenter Server 8.0.2 build-22385739", content.About.FullName);
            Assert.Equal("6a3b1c9e-2f4d-4e8a-9b7c-0d1e2f3a4b5c", content.About.InstanceUuid);
        }

        [Fact]
        public void HostFeatureMask_Request_IsKeyFeatureNameValueInOrder()
        {
            var xml = new HostFeatureMask { Key = "cpuid.AVX", Value = "Val:0" }.ToXml("mask");

            Assert.Equal(new[] { "key", "featureName", "value" }, xml.Elements().Select(e => e.Name.LocalName));
            Assert.Equal("cpuid.AVX", xml.Child("featureName")!.Value);
        }

        [Fact]
        public void OptionValue_Request_StatesTheStringType()
        {
            var xml = new OptionValue("cpuid.1.ecx", string.Empty).ToXml("extraConfig");

            var value = xml.Child("value")!;
            Assert.Equal("xsd:string", value.Attribute(XName.Get("type", "http://www.w3.org/2001/XMLSchema-instance"))!.Value);
            Assert.Equal(string.Empty, value.Value);
        }
    }
}
