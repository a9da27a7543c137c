using System.Runtime.InteropServices;
using Sentinel.Serve;

namespace Sentinel.Tests.Serve;

/// <summary>The 64 KiB block pool serve gives Kestrel's socket reads (fewer recv calls per upload).</summary>
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Rent_GivesWholeBlocks_ReusesReturnedOnes_AndADoubleDisposeNeverSharesABlock()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));

        var first = pool.Rent(4096);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        Assert.True(MemoryMarshal.TryGetArray<byte>(first.Memory, out var firstArray));
        first.Dispose();
        first.Dispose(); // a second dispose must not put the block in the free list twice
        Assert.Throws<ObjectDisposedException>(() => first.Memory);

        using var a = pool.Rent();
        using var b = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(a.Memory, out var aArray));
        Assert.True(MemoryMarshal.TryGetArray<byte>(b.Memory, out var bArray));
        Assert.Same(firstArray.Array, aArray.Array); // reused
        Assert.NotSame(aArray.Array, bArray.Array); // never handed out twice at once
    }
}
