namespace Sentinel.Tests.Support;

/// <summary>A clock that always says the same time (received_at, retention cut-offs).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
