using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CpuidMask.Vim.Soap
{
    /// <summary>
    /// A response body held in 64 KiB chunks and read back once as a stream. A page of a thousand hosts is
    /// tens of megabytes; buffered the usual way it is one array on the large object heap that doubles as it
    /// grows, each copy left for a full collection. Chunks stay below that heap and are never copied.
    /// </summary>
    internal sealed class ChunkedBody : Stream
    {
        private const int ChunkSize = 64 * 1024;

        private readonly List<byte[]?> _chunks = new List<byte[]?>();
        private long _length;
        private long _position;

        private ChunkedBody()
        {
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _length;

        /// <summary>
        /// Drops each chunk but the first once it has been read past, so a page being decoded holds only what is
        /// still to be read. The first stays for error messages (a proxy's HTML title, an empty body).
        /// </summary>
        public bool ReleaseAsRead { get; set; }

        public override long Position
        {
            get => _position;
            set => _position = value < 0 || value > _length ? throw new ArgumentOutOfRangeException(nameof(value)) : value;
        }

        /// <summary>Reads <paramref name="source"/> to its end.</summary>
        public static async Task<ChunkedBody> ReadAsync(Stream source, CancellationToken cancellationToken)
        {
            var body = new ChunkedBody();
            while (true)
            {
                var chunk = new byte[ChunkSize];
                int filled = 0;
                int read;
                while (filled < ChunkSize && (read = await source.ReadAsync(chunk, filled, ChunkSize - filled, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    filled += read;
                }

                if (filled > 0)
                {
                    body._chunks.Add(chunk);
                    body._length += filled;
                }

                if (filled < ChunkSize)
                {
                    return body;
                }
            }
        }

        /// <summary>The whole body as text (for error messages and small answers).</summary>
        public string ReadAllText(Encoding encoding)
        {
            // After ReleaseAsRead only the first chunk is left; what follows it is gone.
            if (_chunks.Skip(1).Any(c => c == null))
            {
                _length = Math.Min(_length, ChunkSize);
            }

            _position = 0;
            using var reader = new StreamReader(this, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
            return reader.ReadToEnd();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int copied = 0;
            while (copied < count && _position < _length)
            {
                int index = (int)(_position / ChunkSize);
                var chunk = _chunks[index] ?? throw new InvalidOperationException("This part of the body was released.");
                int at = (int)(_position % ChunkSize);
                int n = (int)Math.Min(Math.Min(ChunkSize - at, count - copied), _length - _position);
                Buffer.BlockCopy(chunk, at, buffer, offset + copied, n);
                copied += n;
                _position += n;
                if (ReleaseAsRead && index > 0 && at + n == ChunkSize)
                {
                    _chunks[index] = null;
                }
            }

            return copied;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? _position + offset : _length + offset;
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
