using System.Globalization;

namespace Sentinel.Storage;

/// <summary>
/// A set of 128-bit event ids in 16 bytes a slot. An ingest remembers every event id it wrote,
/// so this is the one structure that grows with the input: <c>HashSet&lt;UInt128&gt;</c> takes about
/// 36 bytes an entry and, when it grows, holds its old and new arrays (twice the size) at once.
/// Here the ids are spread over 256 open-addressing shards by their first byte (they are HMAC
/// output, uniform), so a shard that grows copies 1/256 of the set.
/// </summary>
internal sealed class EventIdSet
{
    private readonly Shard[] _shards = new Shard[256];

    public long Count { get; private set; }

    public static UInt128 Parse(string hex) => UInt128.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>Adds the id; false when it was there already.</summary>
    public bool Add(UInt128 id)
    {
        var shard = _shards[(int)(id >> 120)] ??= new Shard();
        if (!shard.Add(id))
        {
            return false;
        }

        Count++;
        return true;
    }

    public bool Contains(UInt128 id) => _shards[(int)(id >> 120)]?.Contains(id) ?? false;

    private sealed class Shard
    {
        private UInt128[] _slots = new UInt128[16];
        private int _count;
        private bool _hasZero; // zero marks an empty slot, so the (improbable) zero id is kept aside

        public bool Add(UInt128 id)
        {
            if (id == UInt128.Zero)
            {
                var added = !_hasZero;
                _hasZero = true;
                return added;
            }

            if ((_count + 1) * 4 > _slots.Length * 3)
            {
                Grow();
            }

            if (!Insert(_slots, id))
            {
                return false;
            }

            _count++;
            return true;
        }

        public bool Contains(UInt128 id)
        {
            if (id == UInt128.Zero)
            {
                return _hasZero;
            }

            var mask = _slots.Length - 1;
            for (var i = Slot(id, mask); ; i = (i + 1) & mask)
            {
                var slot = _slots[i];
                if (slot == id)
                {
                    return true;
                }

                if (slot == UInt128.Zero)
                {
                    return false;
                }
            }
        }

        private void Grow()
        {
            var bigger = new UInt128[_slots.Length * 2];
            foreach (var id in _slots)
            {
                if (id != UInt128.Zero)
                {
                    Insert(bigger, id);
                }
            }

            _slots = bigger;
        }

        private static bool Insert(UInt128[] slots, UInt128 id)
        {
            var mask = slots.Length - 1;
            for (var i = Slot(id, mask); ; i = (i + 1) & mask)
            {
                var slot = slots[i];
                if (slot == id)
                {
                    return false;
                }

                if (slot == UInt128.Zero)
                {
                    slots[i] = id;
                    return true;
                }
            }
        }

        // The low bits; the first byte already chose the shard. Mixed anyway, in case ids are not uniform.
        private static int Slot(UInt128 id, int mask) => (int)(((ulong)id * 0x9E3779B97F4A7C15UL) >> 32) & mask;
    }
}
