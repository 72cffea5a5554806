using System.Globalization;
using FsCheck;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// How long the fuzz tests run: a fixed number of cases per property in CI, more on demand with
/// <c>TINYCDP_FUZZ_COUNT=&lt;cases per property&gt;</c>; <c>TINYCDP_FUZZ_REPLAY=&lt;seed&gt;,&lt;gamma&gt;</c>
/// replays the run FsCheck printed for a failure.
/// </summary>
internal static class FuzzSettings
{
    public const string CountVariable = "TINYCDP_FUZZ_COUNT";
    public const string ReplayVariable = "TINYCDP_FUZZ_REPLAY";

    public static int Count(int ordinary) =>
        int.TryParse(Environment.GetEnvironmentVariable(CountVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : ordinary;

    public static Config Config(int ordinary)
    {
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Count(ordinary));
        if (Environment.GetEnvironmentVariable(ReplayVariable) is { } replay
            && replay.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries) is [var seed, var gamma]
            && ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            && ulong.TryParse(gamma, NumberStyles.None, CultureInfo.InvariantCulture, out var g))
        {
            config = config.WithReplay(new Replay(new Rnd(s, g), Microsoft.FSharp.Core.FSharpOption<int>.None));
        }

        return config;
    }
}
