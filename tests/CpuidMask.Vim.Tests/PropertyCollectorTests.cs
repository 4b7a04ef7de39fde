using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class PropertyCollectorTests
    {
        private static readonly string[] Paths = { "name", "hardware.cpuFeature" };

        // Every host through a container view, in two pages: two hosts, then one.
        private static FakeVimServer ScriptTwoPagesOfHosts(FakeVimServer server) =>
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Page1.xml")
                .Reply("ContinueRetrievePropertiesEx", "ContinueRetrievePropertiesEx_Hosts_Page2.xml")
                .Reply("DestroyView", "DestroyView.xml");

        [Fact]
        public async Task RetrieveAllAsync_UsesOneContainerViewAndFollowsTheToken()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptTwoPagesOfHosts(server);

            var objects = await client.PropertyCollector.RetrieveAllAsync("HostSystem", Paths);

            Assert.Equal(new[] { "host-10", "host-12", "host-14" }, objects.Select(o => o.Obj.Value));
            Assert.Equal(
                new[] { "CreateContainerView", "RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "DestroyView" },
                server.Methods.Skip(2));
            Assert.Equal(0, server.Remaining);
        }

        [Fact]
        public async Task RetrieveAllAsync_WithAListener_ReportsTheObjectsReadSoFarAfterEveryPage()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptTwoPagesOfHosts(server);
            var pages = new ReportList<int>();

            var objects = await client.PropertyCollector.RetrieveAllAsync("HostSystem", Paths, o => o.Obj.Value, pages);

            Assert.Equal(3, objects.Count);
            Assert.Equal(new[] { 2, 3 }, pages.Items);
        }

        [Fact]
        public async Task RetrieveAsync_ByReference_WithAListener_ReportsTheSinglePage()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_ByMoRef.xml");
            var pages = new ReportList<int>();

            await client.PropertyCollector.RetrieveAsync(
                new[] { new ManagedObjectReference("HostSystem", "host-10"), new ManagedObjectReference("HostSystem", "host-12") },
                "HostSystem",
                Paths,
                o => o,
                pages);

            Assert.Equal(new[] { 2 }, pages.Items);
        }

        [Fact]
        public async Task RetrieveAllAsync_AsksForAViewOfTheTypeOverTheRootFolder()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Empty.xml")
                .Reply("DestroyView", "DestroyView.xml");

            await client.PropertyCollector.RetrieveAllAsync("HostSystem", Paths);

            var create = server.Requests[2];
            Assert.Equal(new[] { "ViewManager" }, create.Values("_this"));
            Assert.Equal(new[] { "group-d1" }, create.Values("container"));
            Assert.Equal(new[] { "HostSystem" }, create.Values("type"));
            Assert.Equal(new[] { "true" }, create.Values("recursive"));
            var destroy = server.Requests[4];
            Assert.Equal(new[] { "session[52b1f6b4-96d2-8d6e-1c1f-5e0d0a6a31b2]52e1a3c9-5c1e-2f0e-7a8b-9c0d1e2f3a4b" }, destroy.Values("_this"));
        }

        [Fact]
        public async Task RetrievePropertiesEx_Request_HasOnlyTheAskedPathsAndTheViewTraversal()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Empty.xml");
            client.PropertyCollector.PageSize = 100;

            await client.PropertyCollector.RetrieveFromViewAsync(new ManagedObjectReference("ContainerView", "session[1]2"), "HostSystem", Paths);

            var request = server.Requests[2];
            Assert.Equal(new[] { "propertyCollector" }, request.Values("_this"));
            var propSet = request.Call.Descendants().Single(e => e.Name.LocalName == "propSet");
            Assert.Equal(new[] { "type", "all", "pathSet", "pathSet" }, propSet.Elements().Select(e => e.Name.LocalName));
            Assert.Equal(new[] { "name", "hardware.cpuFeature" }, request.Values("pathSet"));
            Assert.Equal(new[] { "false" }, request.Values("all"));
            var objectSet = request.Call.Descendants().Single(e => e.Name.LocalName == "objectSet");
            Assert.Equal(new[] { "obj", "skip", "selectSet" }, objectSet.Elements().Select(e => e.Name.LocalName));
            Assert.Equal("ContainerView", objectSet.Elements().First().Attribute("type")!.Value);
            var selectSet = objectSet.Elements().Last();
            Assert.Equal("TraversalSpec", selectSet.Attribute(System.Xml.Linq.XName.Get("type", "http://www.w3.org/2001/XMLSchema-instance"))!.Value);
            Assert.Equal("view", selectSet.Elements().Single(e => e.Name.LocalName == "path").Value);
            Assert.Equal(new[] { "100" }, request.Values("maxObjects"));
        }

        [Fact]
        public async Task ContinueRetrievePropertiesEx_SendsTheTokenOfThePreviousPage()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Page1.xml")
                .Reply("ContinueRetrievePropertiesEx", "ContinueRetrievePropertiesEx_Hosts_Page2.xml");

            await client.PropertyCollector.RetrieveAsync(new[] { new ManagedObjectReference("HostSystem", "host-10") }, "HostSystem", Paths);

            Assert.Equal(new[] { "1" }, server.Requests[3].Values("token"));
        }

        [Fact]
        public async Task RetrieveAsync_OfExplicitObjects_ListsEachOnceWithoutTraversal()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_ClusterNames.xml");
            var c7 = new ManagedObjectReference("ClusterComputeResource", "domain-c7");

            var objects = await client.PropertyCollector.RetrieveAsync(new[] { c7, c7 }, "ClusterComputeResource", new[] { "name" });

            Assert.Equal(new[] { "domain-c7" }, server.Requests[2].Values("obj"));
            Assert.Empty(server.Requests[2].Values("selectSet"));
            Assert.Equal("Prod-A", objects.Single()["name"]!.Value);
        }

        [Fact]
        public async Task RetrieveAsync_OfNoObjects_MakesNoCall()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);

            var objects = await client.PropertyCollector.RetrieveAsync(new ManagedObjectReference[0], "HostSystem", Paths);

            Assert.Empty(objects);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task RetrieveAsync_WithDecode_TurnsEveryObjectOfEveryPageIntoItsResult()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Page1.xml")
                .Reply("ContinueRetrievePropertiesEx", "ContinueRetrievePropertiesEx_Hosts_Page2.xml")
                .Reply("DestroyView", "DestroyView.xml");

            var leaves = await client.PropertyCollector.RetrieveAllAsync(
                "HostSystem",
                Paths,
                o => o.Obj.Value + ":" + o.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml).Count);

            Assert.Equal(new[] { "host-10:4", "host-12:4", "host-14:0" }, leaves);
        }

        [Fact]
        public async Task RetrieveAsync_PageCutOffAfterItsObjects_IsNotSoapNamingTheParseError()
        {
            // Decoding object by object must still refuse a page that breaks off: its objects were read, but it is not an answer.
            string page = Recorded.Text("RetrievePropertiesEx_Hosts_Page1.xml");
            string truncated = page.Substring(0, page.IndexOf("</returnval>", System.StringComparison.Ordinal));
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(truncated));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.PropertyCollector.RetrieveAsync(
                new[] { new ManagedObjectReference("HostSystem", "host-10") }, "HostSystem", Paths));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Contains("RetrievePropertiesEx", ex.Message);
            Assert.Contains("unexpected end of file", ex.Message, System.StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public async Task RetrieveAsync_PageOfMegabytes_DecodesEveryObjectAndACutOffOneIsStillRefused()
        {
            // Far beyond one 64 KiB chunk of the body, which is released as it is read.
            // The last page: no token.
            string page = System.Text.RegularExpressions.Regex.Replace(Recorded.Text("RetrievePropertiesEx_Hosts_Page1.xml"), "<token>[^<]*</token>", string.Empty);
            int start = page.IndexOf("<objects>", System.StringComparison.Ordinal);
            int end = page.LastIndexOf("</objects>", System.StringComparison.Ordinal) + "</objects>".Length;
            string objects = page.Substring(start, end - start);
            string big = page.Substring(0, start) + string.Concat(Enumerable.Repeat(objects, 500)) + page.Substring(end);
            Assert.True(big.Length > 3_000_000, big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(big))
                .ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(big.Substring(0, big.Length - 100)));
            var hosts = new[] { new ManagedObjectReference("HostSystem", "host-10") };

            var read = await client.PropertyCollector.RetrieveAsync(hosts, "HostSystem", Paths, o => o.Obj.Value);
            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.PropertyCollector.RetrieveAsync(hosts, "HostSystem", Paths));

            Assert.Equal(1000, read.Count);
            Assert.Equal(500, read.Count(h => h == "host-12"));
            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Contains("unexpected end of file", ex.Message, System.StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public async Task RetrieveAsync_LargeHtmlPageWithStatus200_IsNotSoapNamingItsTitle()
        {
            string html = "<html><head><title>Maintenance in progress</title></head><body>" + new string('x', 300_000) + "<br></body></html>";
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(html, mediaType: "text/html"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.PropertyCollector.RetrieveAsync(
                new[] { new ManagedObjectReference("HostSystem", "host-10") }, "HostSystem", Paths));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Contains("\"Maintenance in progress\"", ex.Message);
        }

        [Theory]
        [InlineData("<html><body>hello</body></html>", "NotSoap")]
        [InlineData("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>", "NotSoap")]
        [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><LoginResponse xmlns=\"urn:vim25\"/></soapenv:Body></soapenv:Envelope>", "ResponseMalformed")]
        [InlineData("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>", "ResponseMalformed")]
        public async Task RetrieveAsync_AnswerThatIsNoPage_FailsAsEveryOtherCallDoes(string answer, string errorId)
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(answer));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.PropertyCollector.RetrieveAsync(
                new[] { new ManagedObjectReference("HostSystem", "host-10") }, "HostSystem", Paths));

            Assert.Equal(errorId == "NotSoap" ? VimErrorIds.NotSoap : VimErrorIds.ResponseMalformed, ex.ErrorId);
            Assert.DoesNotContain("root:", ex.Message);
        }

        [Fact]
        public async Task RetrieveAllAsync_WhenRetrievalFaults_StillDestroysTheViewAndKeepsTheFault()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Fault("RetrievePropertiesEx", "Fault_InvalidProperty.xml")
                .Fault("DestroyView", "Fault_ManagedObjectNotFound.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => client.PropertyCollector.RetrieveAllAsync("HostSystem", Paths));

            Assert.Equal("InvalidProperty", ex.FaultType);
            Assert.Equal("DestroyView", server.Methods.Last());
        }

        [Fact]
        public async Task RetrieveAllAsync_WhenTheServerIsGone_DoesNotWaitForCleanup()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .ReplyWith("RetrievePropertiesEx", _ => throw new System.Net.Http.HttpRequestException("connection reset"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.PropertyCollector.RetrieveAllAsync("HostSystem", Paths));

            Assert.Equal(VimErrorIds.Unreachable, ex.ErrorId);
            Assert.DoesNotContain("DestroyView", server.Methods);
        }
    }
}
