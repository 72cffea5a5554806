using System.Diagnostics.Metrics;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Engine;

public class MetricsTests
{
    [Fact]
    public async Task Instruments_CountStoredDuplicateAndDecisions()
    {
        var measurements = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "TinyCdp")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measurements)
            {
                measurements[instrument.Name] = measurements.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();
        await using var fixture = new EngineFixture();
        await fixture.Cdp.Definitions.SaveFlagAsync(TinyCdp.Definitions.FlagDefinition.FromRule("metrics_flag_under_test", "true"));

        await fixture.Cdp.SendAsync(CdpMessage.Track("metrics-user", "purchase", messageId: "metrics-message-1"));
        await fixture.Cdp.SendAsync(CdpMessage.Track("metrics-user", "purchase", messageId: "metrics-message-1"));
        await fixture.Cdp.DecideAsync("metrics_flag_under_test", ProfileReference.ByUserId("metrics-user"));

        // Other tests may run at the same time and add to the same global instruments: at least these.
        Assert.True(measurements.GetValueOrDefault("tinycdp.messages.stored") >= 1);
        Assert.True(measurements.GetValueOrDefault("tinycdp.messages.duplicate") >= 1);
        Assert.True(measurements.GetValueOrDefault("tinycdp.decisions") >= 1);
    }
}
