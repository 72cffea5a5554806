using TinyCdp.Engine;
using TinyCdp.Evaluation;

namespace TinyCdp.Benchmarks.Engine;

/// <summary>Reaches the engine's internal hot path and the flag's rule for the decide benchmark.</summary>
internal sealed class HotPath
{
    private readonly CdpEngine _engine;
    private readonly string _flag;
    private readonly ProfileReference _user;
    private readonly ProfileSnapshot _snapshot;

    private HotPath(CdpEngine engine, string flag, ProfileReference user, ProfileSnapshot snapshot)
    {
        _engine = engine;
        _flag = flag;
        _user = user;
        _snapshot = snapshot;
    }

    public static HotPath Create(ITinyCdp cdp, string flag, ProfileReference user)
    {
        var engine = (CdpEngine)cdp;
        var snapshot = engine.GetSnapshotAsync(user, TimeProvider.System.GetUtcNow(), default).AsTask().GetAwaiter().GetResult();
        return new HotPath(engine, flag, user, snapshot);
    }

    public bool EvaluateRule() =>
        _engine.Catalog.FindFlag(_flag)!.Rules[0].When.IsTrue(ProfileEvaluationContext.Rent(_snapshot, TimeProvider.System.GetUtcNow()));

    public bool DecideAllow() => _engine.TryDecide(_flag, _user, null, out var decision) ? decision.Allow : throw new InvalidOperationException("not hot");
}
