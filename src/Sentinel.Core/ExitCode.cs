namespace Sentinel;

/// <summary>The process exit codes every command uses; documented in the README.</summary>
public static class ExitCode
{
    /// <summary>Everything asked for was done (a duplicate upload is not a rejection).</summary>
    public const int Success = 0;

    /// <summary>Invalid command line or configuration; nothing was done.</summary>
    public const int InvalidUsage = 1;

    /// <summary>Completed, but some inputs were rejected (quarantined) or some writes failed.</summary>
    public const int PartialFailure = 2;

    /// <summary>Failure: nothing was done.</summary>
    public const int Failure = 3;

    /// <summary>The lake is locked by another sentinel run.</summary>
    public const int LakeLocked = 4;
}
