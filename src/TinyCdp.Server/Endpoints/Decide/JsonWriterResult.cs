using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TinyCdp.Evaluation;

namespace TinyCdp.Server.Endpoints.Decide;

/// <summary>A JSON response written directly with a <see cref="Utf8JsonWriter"/> (decision values are <c>Value</c>s, not POCOs).</summary>
internal sealed class JsonWriterResult(int status, Action<Utf8JsonWriter> write, string? etag = null) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>Writes decisions in the seed's shape.</summary>
internal static class DecisionJson
{
    /// <summary>ISO-8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The members <c>allow, variant, value, reason, reasons, validUntil</c> of a seed decision.</summary>
    public static void WriteMembers(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteBoolean("allow", decision.Allow);
        writer.WriteString("variant", decision.Variant);
        writer.WritePropertyName("value");
        decision.Value.WriteTo(writer);
        writer.WriteString("reason", decision.ReasonText);
        writer.WriteStartArray("reasons");
        foreach (var reason in decision.Reasons)
        {
            writer.WriteStringValue(reason);
        }

        writer.WriteEndArray();
        if (decision.ValidUntil is { } validUntil)
        {
            writer.WriteString("validUntil", Timestamp(validUntil));
        }
        else
        {
            writer.WriteNull("validUntil");
        }
    }
}
