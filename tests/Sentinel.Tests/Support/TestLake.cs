using Sentinel.Storage;

namespace Sentinel.Tests.Support;

/// <summary>
/// The lake at a test folder, opened as the CLI opens it (<see cref="Lake.OpenOrCreate"/>; a stage that reads checks
/// it exists). A short name, because many test classes have a <c>Lake</c> member of their own.
/// </summary>
internal static class TestLake
{
    public static Lake At(string root, TimeProvider? clock = null) => Lake.OpenOrCreate(root, clock);
}
