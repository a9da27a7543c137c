using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Sentinel.Serve;

/// <summary>
/// Kestrel's own pool hands its socket reads blocks of 4 KiB, so a 1 MB upload costs ~500 <c>recv</c> system calls
/// (measured with strace under bench-serve). Serve's requests are bodies of up to tens of MB; 64 KiB blocks make
/// that ~16. Blocks are pinned (the socket reads into them) and at most <see cref="MaxKept"/> free ones are kept.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    private const int MaxKept = 512; // 32 MiB of idle blocks at most

    private readonly ConcurrentQueue<byte[]> _free = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return new Block(this, _free.TryDequeue(out var array) ? array : GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }

    private void Return(byte[] array)
    {
        if (_free.Count < MaxKept)
        {
            _free.Enqueue(array);
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            // Exactly once: a block handed back twice would be rented to two readers at the same time.
            if (Interlocked.Exchange(ref _array, null) is { } a)
            {
                pool.Return(a);
            }
        }
    }

    /// <summary>Registered in DI, Kestrel's transport creates its pools through this.</summary>
    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
    }
}
