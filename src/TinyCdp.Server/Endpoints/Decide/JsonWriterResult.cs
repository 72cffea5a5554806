using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TinyCdp.Evaluation;

namespace TinyCdp.Server.Endpoints.Decide;

/// <summary>A JSON response written directly with a <see cref="Utf8JsonWriter"/> (decision values are <c>Value</c>s, not POCOs).</summary>
internal sealed class JsonWriterResult(int status, Action<Utf8JsonWriter> write, string? etag = null) : IResult
{
    /// <summary>Buffers larger than this (a big export page) are not kept for the next response.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    // A buffer and a writer per thread, reused: the answer is written into the buffer, copied into
    // the response's pipe, and the buffer is free again before the first await.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public Task ExecuteAsync(HttpContext httpContext) =>
        Write(write, (httpContext, status, etag), static (body, target) => JsonBytesResult.WriteAsync(target.httpContext, target.status, body, target.etag));

    /// <summary>The bytes <paramref name="write"/> writes.</summary>
    public static byte[] Render(Action<Utf8JsonWriter> write) => Write(write, 0, static (body, _) => body.ToArray());

    /// <summary>Runs <paramref name="write"/> into this thread's buffer and hands the bytes to <paramref name="use"/>, which must not keep them.</summary>
    private static TResult Write<TState, TResult>(Action<Utf8JsonWriter> write, TState state, Func<ReadOnlySpan<byte>, TState, TResult> use)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        var writer = t_writer;
        t_writer = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffer);
        }
        else
        {
            writer.Reset(buffer);
        }

        try
        {
            write(writer);
            writer.Flush();
            return use(buffer.WrittenSpan, state);
        }
        finally
        {
            writer.Reset();
            if (buffer.Capacity <= KeptBufferBytes)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
                t_writer = writer;
            }
        }
    }
}

/// <summary>A JSON response whose bytes are already written.</summary>
internal sealed class JsonBytesResult(int status, byte[] body, string? etag = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, status, body, etag);

    /// <summary>Sets the status and headers and copies <paramref name="body"/> into the response before returning.</summary>
    public static Task WriteAsync(HttpContext httpContext, int status, ReadOnlySpan<byte> body, string? etag)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (etag is not null)
        {
            response.Headers.ETag = etag;
        }

        response.ContentLength = body.Length;
        response.BodyWriter.Write(body);
        return FlushAsync(response.BodyWriter, httpContext.RequestAborted);
    }

    private static async Task FlushAsync(System.IO.Pipelines.PipeWriter body, CancellationToken cancellationToken) =>
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
}

/// <summary>Writes decisions in the seed's shape.</summary>
internal static class DecisionJson
{
    /// <summary>ISO-8601 UTC with milliseconds.</summary>
    public static string Timestamp(DateTimeOffset instant) => instant.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>The members <c>allow, variant, value, reason, reasons, validUntil</c> of a seed decision.</summary>
    public static void WriteMembers(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteBoolean("allow", decision.Allow);
        writer.WriteString("variant", decision.Variant);
        writer.WritePropertyName("value");
        decision.Value.WriteTo(writer);
        writer.WriteString("reason", decision.ReasonText);
        writer.WriteStartArray("reasons");
        var reasons = decision.Reasons;
        for (var i = 0; i < reasons.Count; i++)
        {
            writer.WriteStringValue(reasons[i]);
        }

        writer.WriteEndArray();
        if (decision.ValidUntil is { } validUntil)
        {
            Span<char> text = stackalloc char[32];
            writer.WriteString("validUntil", validUntil.UtcDateTime.TryFormat(text, out var length, TimestampFormat, CultureInfo.InvariantCulture)
                ? text[..length]
                : Timestamp(validUntil));
        }
        else
        {
            writer.WriteNull("validUntil");
        }
    }
}
