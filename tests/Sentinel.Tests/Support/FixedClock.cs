namespace Sentinel.Tests.Support;

/// <summary>A clock that always says the same instant, so two ingests stamp the same received_at.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
