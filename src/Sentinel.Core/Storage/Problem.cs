namespace Sentinel.Storage;

/// <summary>Where in an input something was wrong, and what.</summary>
public sealed record Problem(string Where, string? Field, string Message);
