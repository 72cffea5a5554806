using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TinyCdp.Definitions;

namespace TinyCdp.Core.Tests.Engine;

/// <summary>
/// The membership timer reads the clock, then arms a delay for the next due instant. A clock that moves
/// past that instant in between must not leave the timer waiting a whole delay measured from the new
/// time (found by CI: the exit was never recorded when a test advanced its fake clock in that gap).
/// </summary>
public class MembershipTimerRaceTests
{
    [Fact]
    public async Task ClockPassingTheDueInstantWhileTheTimerIsArmed_StillRecordsTheExitAtTheInstant()
    {
        JumpingClock? jumping = null;
        await using var fixture = new EngineFixture(wrapClock: fake => jumping = new JumpingClock(fake));
        var cdp = fixture.Cdp;
        await cdp.Definitions.SaveSegmentAsync(new SegmentDefinition("buyers", "events.purchase.count_30d >= 1"));

        // The timer armed for the purchase leaving the 30-day window sees the clock jump 30 days just
        // before it is created: exactly in the gap between reading the clock and arming the delay.
        jumping!.JumpBeforeTimerOf(TimeSpan.FromDays(30));
        await cdp.TrackAsync("u1", "purchase");

        var changes = await WaitForChangesAsync(cdp, 2);
        Assert.Equal(2, changes.Count);
        Assert.True(jumping.Jumped);
        Assert.True(changes[0].Entered);
        Assert.False(changes[1].Entered);
        Assert.Equal(TinyCdp.Evaluation.ChangeCause.Time, changes[1].Cause);
        Assert.Equal(EngineFixture.Start.AddDays(30), changes[1].At);
    }

    private static async Task<IReadOnlyList<TinyCdp.Engine.MembershipChange>> WaitForChangesAsync(ITinyCdp cdp, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var changes = await cdp.ReadChangesAsync(0);
            if (changes.Count >= count)
            {
                return changes;
            }

            await Task.Delay(10);
        }

        return await cdp.ReadChangesAsync(0);
    }

    /// <summary>A fake clock that can be told to advance itself just before a given timer is created.</summary>
    private sealed class JumpingClock(FakeTimeProvider inner) : TimeProvider
    {
        private TimeSpan? _jump;

        public bool Jumped { get; private set; }

        /// <summary>The next timer due in exactly <paramref name="jump"/> advances the clock by that much first.</summary>
        public void JumpBeforeTimerOf(TimeSpan jump) => _jump = jump;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (_jump is { } jump && dueTime == jump)
            {
                _jump = null;
                Jumped = true;
                inner.Advance(jump);
            }

            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }
}
