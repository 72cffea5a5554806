using System.Text;
using System.Text.Json;
using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Ingestion;

// Shortcuts for the tests: JSON written with single quotes for readability.
internal static class IngestionJson
{
    public static string Q(string json) => json.Replace('\'', '"');

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(Q(json));

    public static CdpMessage Read(string json, MessageKind? kind)
    {
        using var document = JsonDocument.Parse(Q(json), new JsonDocumentOptions { MaxDepth = 256 });
        Assert.True(MessageReader.TryReadMessage(document.RootElement, kind, null, out var message, out var error), error?.Message);
        return message;
    }

    public static MessageError Reject(string json, MessageKind? kind, int? index = null)
    {
        using var document = JsonDocument.Parse(Q(json), new JsonDocumentOptions { MaxDepth = 256 });
        Assert.False(MessageReader.TryReadMessage(document.RootElement, kind, index, out var message, out var error));
        Assert.Null(message);
        return error;
    }

    public static MessageBatch ReadBatch(string json)
    {
        Assert.True(MessageReader.TryReadBatch(Utf8(json), out var batch, out var error), error?.Message);
        return batch;
    }

    public static MessageError RejectBatch(string json) => RejectBatch(Utf8(json));

    public static MessageError RejectBatch(byte[] utf8)
    {
        Assert.False(MessageReader.TryReadBatch(utf8, out var batch, out var error));
        Assert.Null(batch);
        return error;
    }

    public static void AssertError(MessageError error, MessageErrorKind kind, string field, string message, int? index = null)
    {
        Assert.Equal(message, error.Message);
        Assert.Equal(field, error.Field);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(index, error.Index);
    }
}
