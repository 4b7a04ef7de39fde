using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace CpuidMask.Vim.Tests.Fakes
{
    internal static class TestConnections
    {
        public const string Server = "vc01.example.com";
        public const string User = "cpuidmask@vsphere.local";

        /// <summary>Contains characters XML must escape, so escaping bugs show up as well as leaks.</summary>
        public const string Password = "S3cr3t&<pw>\"'Zq9";

        public const string Cookie = "52f5b1a8e3c94d07a1b2c3d4e5f60718";

        public static VimConnectionOptions Options(FakeVimServer server, List<string>? warnings = null, List<string>? trace = null) =>
            new VimConnectionOptions(Server)
            {
                UserName = User,
                Password = Password,
                MessageHandler = server,
                Warn = warnings == null ? null : advice => warnings.Add(advice.Text),
                Trace = trace == null ? null : trace.Add,
                TaskPollInterval = TimeSpan.FromMilliseconds(1),
            };

        public static Task<VimClient> ConnectAsync(FakeVimServer server, string serviceContent = "RetrieveServiceContent_VC80.xml")
        {
            server.ScriptLogin(serviceContent: serviceContent);
            return VimClient.ConnectAsync(Options(server));
        }
    }
}
