using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CpuidMask.Vim.Tests.Fakes
{
    /// <summary>
    /// A real HTTPS endpoint on 127.0.0.1 with a self-signed certificate, answering every POST with one
    /// SOAP body, so the client's actual TLS handling (HttpClientHandler + validation callback) runs.
    /// </summary>
    internal sealed class LoopbackTlsServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _certificate;
        private readonly Func<string, string> _answer;
        private readonly CancellationTokenSource _stop = new();
        private readonly bool _silent;

        public LoopbackTlsServer(X509Certificate2 certificate, Func<string, string> answer, bool silent = false)
        {
            _certificate = certificate;
            _answer = answer;
            _silent = silent;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = Task.Run(AcceptLoop);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Address => $"127.0.0.1:{Port}";

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                try
                {
                    if (_silent)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    using var ssl = new SslStream(client.GetStream(), false);
                    await ssl.AuthenticateAsServerAsync(_certificate, false, false);
                    while (true)
                    {
                        string? body = await ReadRequest(ssl);
                        if (body == null)
                        {
                            return;
                        }

                        byte[] payload = Encoding.UTF8.GetBytes(_answer(body));
                        string head = $"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {payload.Length}\r\n\r\n";
                        await ssl.WriteAsync(Encoding.ASCII.GetBytes(head));
                        await ssl.WriteAsync(payload);
                        await ssl.FlushAsync();
                    }
                }
                catch (Exception)
                {
                    // The client refusing our certificate ends the handshake; that is what several tests want.
                }
            }
        }

        private static async Task<string?> ReadRequest(Stream stream)
        {
            var header = new StringBuilder();
            var one = new byte[1];
            while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await stream.ReadAsync(one) == 0)
                {
                    return null;
                }

                header.Append((char)one[0]);
            }

            int length = 0;
            foreach (string line in header.ToString().Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line.Substring(15).Trim());
                }
            }

            var body = new byte[length];
            int read = 0;
            while (read < length)
            {
                int n = await stream.ReadAsync(body.AsMemory(read));
                if (n == 0)
                {
                    return null;
                }

                read += n;
            }

            return Encoding.UTF8.GetString(body);
        }
    }
}
