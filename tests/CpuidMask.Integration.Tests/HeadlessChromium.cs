using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Debian's chromium, headless, on a local file: what a real browser makes of a page (--dump-dom) and what it
    /// draws (--screenshot). Each run gets a new profile folder and no network features, so runs are independent and
    /// nothing is fetched. tests/run-tests.sh and .ci/run install chromium when it is missing.
    /// </summary>
    internal static class HeadlessChromium
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

        public static string Executable
        {
            get
            {
                foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin"))
                {
                    string candidate = Path.Combine(dir, "chromium");
                    if (dir.Length > 0 && File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                throw new InvalidOperationException(
                    "The HTML report's browser test needs Debian's chromium: apt-get install -y chromium " +
                    "(bash tests/run-tests.sh installs it when run as root).");
            }
        }

        /// <summary>
        /// The document as the browser holds it after parsing the file and running its scripts, serialized; laid out in
        /// a window of the given size (as <see cref="Screenshot"/> draws it, so positions read by a script match).
        /// </summary>
        public static string DumpDom(string file, int width, int height) =>
            Run(new[] { "--hide-scrollbars", "--force-device-scale-factor=1", $"--window-size={width},{height}", "--dump-dom", new Uri(file).AbsoluteUri }, null);

        /// <summary>A screenshot of the page in a window of the given size at one pixel per CSS pixel.</summary>
        public static PngImage Screenshot(string file, int width, int height)
        {
            string png = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".png");
            Run(new[] { "--hide-scrollbars", "--force-device-scale-factor=1", $"--window-size={width},{height}", "--screenshot=" + png, new Uri(file).AbsoluteUri }, png);
            return PngImage.Read(png);
        }

        private static string Run(string[] args, string? expectedFile)
        {
            string profile = Path.Combine(Path.GetTempPath(), "cpuidmask-chromium-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(profile);
            try
            {
                var start = new ProcessStartInfo(Executable)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (string arg in new[]
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile,
                }.Concat(args))
                {
                    start.ArgumentList.Add(arg);
                }

                using var process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEndAsync();
                if (!process.WaitForExit((int)Timeout.TotalMilliseconds))
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"chromium did not finish within {Timeout.TotalSeconds} s: {string.Join(" ", args)}");
                }

                process.WaitForExit();
                if (process.ExitCode != 0 || (expectedFile != null && !File.Exists(expectedFile)))
                {
                    throw new InvalidOperationException($"chromium {string.Join(" ", args)} exited {process.ExitCode}:\n{stderr.Result}");
                }

                return stdout.Result;
            }
            finally
            {
                try
                {
                    Directory.Delete(profile, true);
                }
                catch (IOException)
                {
                    // A helper process may still hold a file for a moment; the folder is only litter in /tmp.
                }
            }
        }
    }

    /// <summary>An 8-bit RGB or RGBA PNG as chromium writes its screenshots, decoded to pixels.</summary>
    internal sealed class PngImage
    {
        private readonly byte[] _pixels;
        private readonly int _channels;

        private PngImage(int width, int height, int channels, byte[] pixels)
        {
            Width = width;
            Height = height;
            _channels = channels;
            _pixels = pixels;
        }

        public int Width { get; }

        public int Height { get; }

        public (byte R, byte G, byte B) this[int x, int y]
        {
            get
            {
                int i = ((y * Width) + x) * _channels;
                return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
            }
        }

        public static PngImage Read(string path)
        {
            byte[] data = File.ReadAllBytes(path);
            if (!data.Take(8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }))
            {
                throw new InvalidDataException($"{path} is not a PNG file.");
            }

            int width = 0, height = 0, channels = 0;
            using var compressed = new MemoryStream();
            for (int at = 8; at < data.Length;)
            {
                int length = BigEndian(data, at);
                string type = Encoding.ASCII.GetString(data, at + 4, 4);
                if (type == "IHDR")
                {
                    width = BigEndian(data, at + 8);
                    height = BigEndian(data, at + 12);
                    byte depth = data[at + 16], color = data[at + 17], interlace = data[at + 20];
                    if (depth != 8 || (color != 2 && color != 6) || interlace != 0)
                    {
                        throw new InvalidDataException($"{path}: only 8-bit, non-interlaced RGB or RGBA is decoded (depth {depth}, color type {color}, interlace {interlace}).");
                    }

                    channels = color == 2 ? 3 : 4;
                }
                else if (type == "IDAT")
                {
                    compressed.Write(data, at + 8, length);
                }

                at += 12 + length;
            }

            compressed.Position = 0;
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
            {
                zlib.CopyTo(inflated);
            }

            return new PngImage(width, height, channels, Unfilter(inflated.ToArray(), width, height, channels));
        }

        // PNG's per-row filters (None, Sub, Up, Average, Paeth), undone in place row by row.
        private static byte[] Unfilter(byte[] raw, int width, int height, int bpp)
        {
            int stride = width * bpp;
            var pixels = new byte[stride * height];
            for (int y = 0; y < height; y++)
            {
                byte filter = raw[y * (stride + 1)];
                int src = (y * (stride + 1)) + 1, dst = y * stride;
                for (int x = 0; x < stride; x++)
                {
                    int a = x >= bpp ? pixels[dst + x - bpp] : 0;
                    int b = y > 0 ? pixels[dst + x - stride] : 0;
                    int c = x >= bpp && y > 0 ? pixels[dst + x - stride - bpp] : 0;
                    int predictor = filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) / 2,
                        4 => Paeth(a, b, c),
                        _ => throw new InvalidDataException($"PNG filter {filter} on row {y}"),
                    };
                    pixels[dst + x] = (byte)(raw[src + x] + predictor);
                }
            }

            return pixels;
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        private static int BigEndian(byte[] data, int at) => (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
    }
}
