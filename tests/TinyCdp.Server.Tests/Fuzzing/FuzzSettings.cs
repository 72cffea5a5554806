using System.Globalization;
using FsCheck;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// How long the fuzz tests run: a fixed number of cases per property in CI, more on demand with
/// <c>TINYCDP_FUZZ_COUNT=&lt;cases per property&gt;</c>; <c>TINYCDP_FUZZ_REPLAY=&lt;seed&gt;,&lt;gamma&gt;[,&lt;size&gt;]</c>
/// replays the run (or, with the size, the failing step) FsCheck printed for a failure.
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
        if (Environment.GetEnvironmentVariable(ReplayVariable) is { } replay)
        {
            // "(seed,gamma)" replays a run; "(seed,gamma,size)" jumps to its failing step.
            var parts = replay.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries)
                .Select(p => ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (ulong?)null)
                .ToArray();
            if (parts.Length is 2 or 3 && parts.All(p => p is not null))
            {
                var size = parts.Length == 3 ? Microsoft.FSharp.Core.FSharpOption<int>.Some((int)parts[2]!.Value) : Microsoft.FSharp.Core.FSharpOption<int>.None;
                config = config.WithReplay(new Replay(new Rnd(parts[0]!.Value, parts[1]!.Value), size));
            }
            else
            {
                throw new InvalidOperationException($"{ReplayVariable} must be \"seed,gamma\" or \"seed,gamma,size\" as FsCheck prints them, not '{replay}'.");
            }
        }

        return config;
    }
}
