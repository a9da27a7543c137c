namespace Sentinel.Tests.Support;

/// <summary>A clock that always says the same instant (received_at of an ingest, retention cut-offs).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
