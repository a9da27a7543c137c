using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.Channels;
using Sentinel.Storage;

namespace Sentinel.Ingest;

// A large events.jsonl, or a large `events` array of a single-file bundle, on every core (issue 19). The reading thread splits the file into lines (PythonJsonStream,
// JsonLineReader, the upload's digest) and copies them into batches; worker threads reduce each batch (parse,
// validate, scrub, hash: the bulk of the work) with their own reducer and string pool; the reading thread then keeps
// the reduced events batch by batch, in file order (event limits, per-upload caps, the bundle's event store). So the
// bundle, and the lake written from it, are the same as with one thread. At most MaxInFlight batches exist at once:
// memory stays bounded whatever the file's size.
/// <summary>The events of one upload, one raw value at a time: lines of events.jsonl, or elements of an `events` array.</summary>
internal interface IEventValues
{
    /// <summary>The next event's bytes (valid until the next call) and its line number or index; <paramref name="tooLong"/> when over the limit (skipped).</summary>
    bool Next(out ReadOnlySpan<byte> value, out int number, out bool tooLong);
}

/// <summary>The elements of an `events` array, read from the bundle object's reader (positioned after its '[').</summary>
internal sealed class ArrayEventValues(JsonStreamReader reader, int maxBytes) : IEventValues
{
    private int _index;
    private bool _done;

    public bool Next(out ReadOnlySpan<byte> value, out int number, out bool tooLong)
    {
        value = default;
        number = _index;
        tooLong = false;
        if (_done)
        {
            return false;
        }

        try
        {
            value = reader.ReadValue(maxBytes, out var first);
            if (first == JsonTokenType.EndArray)
            {
                _done = true;
                return false;
            }
        }
        catch (ValueTooLargeException)
        {
            reader.SkipValue();
            tooLong = true;
        }

        _index++;
        return true;
    }
}

internal sealed partial class BundleParser
{
    private const int BatchLines = 1024;
    private const int BatchBytes = 1 << 20;

    private readonly int _workerCount;
    private readonly Func<EventReducer> _newWorkerReducer;
    private EventReducer[]? _workerReducers;

    private int MaxInFlight => (_workerCount * 2) + 1;

    /// <summary>
    /// One batch of lines: their bytes, then (from a worker) each line's reduced event or problem. Reused once kept
    /// (its buffer and events too: the bundle's store copies what it keeps, as with the sequential loop's one event).
    /// </summary>
    private sealed class LineBatch : IDisposable
    {
        public byte[] Bytes = new byte[BatchBytes];
        public int Length;
        public readonly List<(int Offset, int Length, int Number, bool TooLong)> Lines = new(BatchLines);
        public readonly ParsedEvent[] Events = [.. Enumerable.Range(0, BatchLines).Select(_ => new ParsedEvent())];
        public readonly Problem?[] Problems = new Problem?[BatchLines];
        public RedactionLedger Ledger = new();
        public readonly ManualResetEventSlim Done = new(false);
        public ExceptionDispatchInfo? Error;

        public void Reset()
        {
            Length = 0;
            Lines.Clear();
            Array.Clear(Problems);
            Ledger = new RedactionLedger();
            Error = null;
            Done.Reset();
        }

        public void Dispose() => Done.Dispose();

        public bool Full => Lines.Count == BatchLines || Length >= BatchBytes;

        public void Add(ReadOnlySpan<byte> line, int number, bool tooLong)
        {
            if (Length + line.Length > Bytes.Length)
            {
                Array.Resize(ref Bytes, Math.Max(Bytes.Length * 2, Length + line.Length));
            }

            line.CopyTo(Bytes.AsSpan(Length));
            Lines.Add((Length, line.Length, number, tooLong));
            Length += line.Length;
        }
    }

    private void ReadLinesInParallel(IEventValues lines, string file, bool inArray, BundleReading into)
    {
        var all = new List<LineBatch>();
        var free = new Stack<LineBatch>();
        LineBatch Fresh()
        {
            if (free.TryPop(out var reused))
            {
                reused.Reset();
                return reused;
            }

            var created = new LineBatch();
            all.Add(created);
            return created;
        }

        try
        {
            ReadLinesInParallel(lines, file, inArray, into, Fresh, free);
        }
        finally
        {
            foreach (var b in all)
            {
                b.Dispose();
            }
        }
    }

    private void ReadLinesInParallel(IEventValues lines, string file, bool inArray, BundleReading into, Func<LineBatch> fresh, Stack<LineBatch> free)
    {
        var batch = fresh();
        var more = true;
        while (!batch.Full && (more = lines.Next(out var line, out var number, out var tooLong)))
        {
            batch.Add(line, number, tooLong);
        }

        if (!more)
        {
            // The whole file fits one batch: no thread is worth starting.
            Reduce(batch, _reducer, file, inArray, CancellationToken.None);
            Consume(batch, file, inArray, into);
            return;
        }

        _workerReducers ??= [.. Enumerable.Range(0, _workerCount).Select(_ => _newWorkerReducer())];
        var work = Channel.CreateBounded<LineBatch>(new BoundedChannelOptions(MaxInFlight) { SingleWriter = true, SingleReader = false });
        using var stop = new CancellationTokenSource();
        var workers = _workerReducers.Select(reducer => Task.Run(() => Work(work.Reader, reducer, file, inArray, stop.Token))).ToArray();
        var inFlight = new Queue<LineBatch>();
        try
        {
            Dispatch(batch);
            batch = fresh();
            while (lines.Next(out var line, out var number, out var tooLong))
            {
                batch.Add(line, number, tooLong);
                if (batch.Full)
                {
                    Dispatch(batch);
                    batch = fresh();
                }
            }

            if (batch.Lines.Count > 0)
            {
                Dispatch(batch);
            }

            while (inFlight.Count > 0)
            {
                ConsumeOldest();
            }
        }
        finally
        {
            // On a rejection (too many events, unreadable file) the workers stop at their next batch.
            work.Writer.TryComplete();
            stop.Cancel();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException)
            {
                // A worker's failure is its batch's Error, rethrown by Consume; nothing else to report.
            }
        }

        void ConsumeOldest()
        {
            var oldest = inFlight.Dequeue();
            Consume(oldest, file, inArray, into);
            free.Push(oldest);
        }

        void Dispatch(LineBatch b)
        {
            while (inFlight.Count >= MaxInFlight)
            {
                ConsumeOldest();
            }

            inFlight.Enqueue(b);
            if (!work.Writer.TryWrite(b))
            {
                throw new InvalidOperationException("the reduce queue is full although at most its capacity of batches is in flight");
            }
        }
    }

    private async Task Work(ChannelReader<LineBatch> queue, EventReducer reducer, string file, bool inArray, CancellationToken stop)
    {
        await foreach (var batch in queue.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Reduce(batch, reducer, file, inArray, stop);
        }
    }

    /// <summary>Reduces every line of <paramref name="batch"/> that is not too long, then marks it done (also on failure).</summary>
    private void Reduce(LineBatch batch, EventReducer reducer, string file, bool inArray, CancellationToken stop)
    {
        try
        {
            for (var i = 0; i < batch.Lines.Count && !stop.IsCancellationRequested; i++)
            {
                var (offset, length, number, tooLong) = batch.Lines[i];
                if (tooLong)
                {
                    continue;
                }

                batch.Problems[i] = Reduce(reducer, batch.Bytes.AsSpan(offset, length), new EventLocation(file, number, inArray), batch.Ledger, batch.Events[i]);
            }
        }
#pragma warning disable CA1031 // any failure is handed to the reading thread, which rethrows it as the sequential code would
        catch (Exception e)
#pragma warning restore CA1031
        {
            batch.Error = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            batch.Done.Set();
        }
    }

    /// <summary>Keeps a reduced batch's events in file order, on the reading thread (as the sequential loop does).</summary>
    private void Consume(LineBatch batch, string file, bool inArray, BundleReading into)
    {
        batch.Done.Wait();
        batch.Error?.Throw();
        into.Ledger.AddAll(batch.Ledger);
        for (var i = 0; i < batch.Lines.Count; i++)
        {
            var (_, _, number, tooLong) = batch.Lines[i];
            if (Count(new EventLocation(file, number, inArray), tooLong, into))
            {
                Keep(batch.Problems[i], batch.Events[i], into);
            }
        }
    }
}
