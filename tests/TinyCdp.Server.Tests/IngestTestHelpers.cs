using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;

namespace TinyCdp.Server.Tests;

/// <summary>Requests and checks shared by the ingest tests.</summary>
internal static class IngestTestHelpers
{
    /// <summary>A name unique to one test, usable as an event name and a trait key.</summary>
    public static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..12];

    public static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, string json, string mediaType = "application/json") =>
        await client.PostAsync(new Uri(path, UriKind.Relative), Json(json, mediaType));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public static AuthenticationHeaderValue Basic(string writeKey) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));

    public static ITinyCdp Cdp(this ServerFactory factory) => factory.Services.GetRequiredService<ITinyCdp>();

    /// <summary>Defines a trait <c>events.&lt;eventName&gt;.&lt;aggregate&gt;</c> and returns its key.</summary>
    public static async Task<string> DefineTraitAsync(this ServerFactory factory, string eventName, string aggregate = "count_all")
    {
        var key = Unique("t");
        var result = await factory.Cdp().Definitions.SaveTraitAsync(new TraitDefinition(key, $"events.{eventName}.{aggregate}"));
        Assert.True(result.Succeeded, result.Error?.ToString());
        return key;
    }

    /// <summary>A trait's value for a user as a number (0 when null).</summary>
    public static async Task<double> NumberAsync(this ServerFactory factory, string trait, string userId)
    {
        var value = await factory.Cdp().EvaluateTraitAsync(trait, ProfileReference.ByUserId(userId));
        return value.TryGetNumber(out var number) ? number : 0;
    }

    public static async Task<bool> ProfileExistsAsync(this ServerFactory factory, string userId) =>
        await factory.Cdp().GetProfileAsync(ProfileReference.ByUserId(userId)) is not null;

    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
