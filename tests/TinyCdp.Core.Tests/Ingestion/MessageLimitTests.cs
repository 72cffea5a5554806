using System.Globalization;
using System.Text;
using TinyCdp.Ingestion;
using TinyCdp.Language;
using static TinyCdp.Core.Tests.Ingestion.IngestionJson;

namespace TinyCdp.Core.Tests.Ingestion;

public class MessageLimitTests
{
    [Fact]
    public void MessageLimits_Values_AreTheDocumentedOnes()
    {
        Assert.Equal(32_768, MessageLimits.MaxMessageBytes);
        Assert.Equal(512_000, MessageLimits.MaxBatchBytes);
        Assert.Equal(2_500, MessageLimits.MaxBatchMessages);
        Assert.Equal(200, MessageLimits.MaxEventNameLength);
        Assert.Equal(200, MessageLimits.MaxMessageIdLength);
        Assert.Equal(64, MessageLimits.MaxDepth);
    }

    // --- Event names -----------------------------------------------------------------------

    [Fact]
    public void TryReadMessage_EventOf200Characters_IsAccepted()
    {
        var name = new string('e', 200);

        Assert.Equal(name, Read($"{{'event':'{name}','userId':'u'}}", MessageKind.Track).Event);
    }

    [Fact]
    public void TryReadMessage_EventOf201Characters_IsRejected()
    {
        AssertError(Reject($"{{'event':'{new string('e', 201)}','userId':'u'}}", MessageKind.Track), MessageErrorKind.Invalid,
            "event", "event must be at most 200 characters (it has 201)");
    }

    [Fact]
    public void TryReadMessage_PageNameOver200Characters_IsAccepted()
    {
        Assert.NotNull(Read($"{{'name':'{new string('p', 500)}','userId':'u'}}", MessageKind.Page).Event);
    }

    // --- Message size ------------------------------------------------------------------------

    // A compact track body of exactly `size` bytes: {"userId":"u","event":"e","properties":{"p":"xxx…"}}
    private static string TrackOfSize(int size, string prefix = "")
    {
        var shell = prefix + "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"\"}}";
        return shell.Insert(shell.Length - 3, new string('x', size - shell.Length));
    }

    [Fact]
    public void TryReadMessageBytes_BodyOfExactly32KB_IsAccepted()
    {
        var body = Encoding.UTF8.GetBytes(TrackOfSize(32_768));
        Assert.Equal(32_768, body.Length);

        Assert.True(MessageReader.TryReadMessage(body, MessageKind.Track, out _, out _, out var error), error?.Message);
    }

    [Fact]
    public void TryReadMessageBytes_BodyOneByteOver32KB_IsTooLarge()
    {
        var body = Encoding.UTF8.GetBytes(TrackOfSize(32_769));

        Assert.False(MessageReader.TryReadMessage(body, MessageKind.Track, out _, out _, out var error));
        AssertError(error, MessageErrorKind.TooLarge, "message", "message is too large: 32769 bytes, at most 32768 (32 KB) allowed");
    }

    [Fact]
    public void TryReadBatch_ItemOfExactly32KB_IsAccepted()
    {
        var item = TrackOfSize(32_768).Replace("{\"userId\"", "{\"type\":\"track\",\"userId\"", StringComparison.Ordinal);
        item = item.Remove(item.IndexOf('x', StringComparison.Ordinal), 15);
        Assert.Equal(32_768, Encoding.UTF8.GetByteCount(item));

        Assert.True(MessageReader.TryReadBatch(Encoding.UTF8.GetBytes("{\"batch\":[" + item + "]}"), out var batch, out var error), error?.Message);
        Assert.Single(batch.Messages);
    }

    [Fact]
    public void TryReadBatch_ItemOneByteOver32KB_IsTooLargeNamingTheItem()
    {
        var small = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}";
        var item = TrackOfSize(32_769).Replace("{\"userId\"", "{\"type\":\"track\",\"userId\"", StringComparison.Ordinal);
        item = item.Remove(item.IndexOf('x', StringComparison.Ordinal), 15);
        Assert.Equal(32_769, Encoding.UTF8.GetByteCount(item));

        var error = RejectBatch(Encoding.UTF8.GetBytes("{\"batch\":[" + small + "," + item + "]}"));

        AssertError(error, MessageErrorKind.TooLarge, "batch[1]", "batch[1]: message is too large: 32769 bytes, at most 32768 (32 KB) allowed", 1);
    }

    [Fact]
    public void TryReadBatch_ItemRawSizeCountsWhiteSpaceAndUnknownFields()
    {
        var item = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"_metadata\":\"" + new string('m', 32_750) + "\"}";

        var error = RejectBatch(Encoding.UTF8.GetBytes("{\"batch\":[" + item + "]}"));

        Assert.Equal(MessageErrorKind.TooLarge, error.Kind);
        Assert.Equal("batch[0]", error.Field);
    }

    [Fact]
    public void Validate_MessageOfExactly32KB_IsAccepted()
    {
        var message = CdpMessage.Track("u", "e", PaddedProperties(32_768));

        Assert.Null(MessageValidator.Validate(message, null));
    }

    [Fact]
    public void Validate_MessageOneByteOver32KB_IsTooLarge()
    {
        var message = CdpMessage.Track("u", "e", PaddedProperties(32_769));

        AssertError(MessageValidator.Validate(message, 4)!, MessageErrorKind.TooLarge, "batch[4]", "batch[4]: message is too large: 32769 bytes, at most 32768 (32 KB) allowed", 4);
    }

    [Fact]
    public void Validate_Size_CountsUtf8BytesNotCharacters()
    {
        // "é" is one UTF-16 unit and two UTF-8 bytes; the rest of the message is 48 bytes.
        var atLimit = Value.Object([KeyValuePair.Create("p", Value.String(new string('é', 16_360)))]);
        var overLimit = Value.Object([KeyValuePair.Create("p", Value.String(new string('é', 16_361)))]);

        Assert.Null(MessageValidator.Validate(CdpMessage.Track("u", "e", atLimit), null));
        AssertError(MessageValidator.Validate(CdpMessage.Track("u", "e", overLimit), null)!, MessageErrorKind.TooLarge,
            "message", "message is too large: 32770 bytes, at most 32768 (32 KB) allowed");
    }

    [Fact]
    public void Validate_Size_CountsEveryField()
    {
        var padded = PaddedProperties(32_768);
        var sizes = new[]
        {
            CdpMessage.Track("u", "e", padded) with { AnonymousId = "a" },
            CdpMessage.Track("u", "e", padded) with { MessageId = "m" },
            CdpMessage.Track("u", "e", padded) with { Timestamp = DateTimeOffset.UnixEpoch },
            CdpMessage.Track("u", "e", padded) with { SentAt = DateTimeOffset.UnixEpoch },
            CdpMessage.Track("u", "e", padded) with { Context = Value.Object([]) },
            CdpMessage.Track("u", "e", padded) with { Traits = Value.Object([]) },
            CdpMessage.Track("u", "e", padded) with { Category = "c" },
            CdpMessage.Track("u", "e", padded) with { GroupId = "g" },
            CdpMessage.Track("u", "e", padded) with { PreviousId = "p" },
        };

        Assert.All(sizes, message => Assert.Equal(MessageErrorKind.TooLarge, MessageValidator.Validate(message, null)?.Kind));
    }

    private static Value PaddedProperties(int messageSize)
    {
        // {"userId":"u","event":"e","properties":{"p":""}} is 48 bytes.
        var padding = messageSize - 48;
        return Value.Object([KeyValuePair.Create("p", Value.String(new string('x', padding)))]);
    }

    [Fact]
    public void TryReadMessage_PropertiesNested64Levels_IsAccepted()
    {
        Assert.NotNull(Read(Nested(64), MessageKind.Track));
    }

    [Fact]
    public void TryReadMessage_PropertiesNested65Levels_IsRejectedNamingThePath()
    {
        var path = "properties" + string.Concat(Enumerable.Repeat(".a", 64));

        AssertError(Reject(Nested(65), MessageKind.Track), MessageErrorKind.Invalid, path, path + " is nested too deeply (more than 64 levels)");
    }

    [Fact]
    public void Validate_PropertiesNested65Levels_IsRejected()
    {
        var value = Value.Object([]);
        for (var i = 1; i < 65; i++)
        {
            value = Value.Object([KeyValuePair.Create("a", value)]);
        }

        Assert.Null(MessageValidator.Validate(CdpMessage.Track("u", "e", value.Member("a")), null));
        Assert.Equal("properties" + string.Concat(Enumerable.Repeat(".a", 64)), MessageValidator.Validate(CdpMessage.Track("u", "e", value), null)?.Field);
    }

    [Fact]
    public void TryReadMessageBytes_NestingFarBeyondTheLimit_IsRejectedWithoutThrowing()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"e\",\"userId\":\"u\",\"properties\":" + new string('[', 10_000) + new string(']', 10_000) + "}");

        Assert.False(MessageReader.TryReadMessage(body, MessageKind.Track, out _, out _, out var error));
        Assert.Equal(MessageErrorKind.Malformed, error.Kind);
    }

    // {'event':'e','userId':'u','properties':{'a':{'a':…{}…}}} with `levels` objects under properties (properties included).
    private static string Nested(int levels) =>
        "{'event':'e','userId':'u','properties':" + string.Concat(Enumerable.Repeat("{'a':", levels - 1)) + "{}" + new string('}', levels - 1) + "}";

    // --- Batch limits ------------------------------------------------------------------------

    private static byte[] BatchOf(int count)
    {
        var builder = new StringBuilder("{\"batch\":[");
        for (var i = 0; i < count; i++)
        {
            builder.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"type\":\"track\",\"userId\":\"u{i}\",\"event\":\"e\"}}");
        }

        return Encoding.UTF8.GetBytes(builder.Append("]}").ToString());
    }

    [Fact]
    public void TryReadBatch_2500Messages_IsAccepted()
    {
        Assert.True(MessageReader.TryReadBatch(BatchOf(2_500), out var batch, out var error), error?.Message);
        Assert.Equal(2_500, batch.Messages.Count);
        Assert.Equal("u2499", batch.Messages[^1].UserId);
    }

    [Fact]
    public void TryReadBatch_2501Messages_IsTooLarge()
    {
        AssertError(RejectBatch(BatchOf(2_501)), MessageErrorKind.TooLarge, "batch", "batch has 2501 messages, at most 2500 allowed");
    }

    // A batch of 16 items of about 30 KB each, padded with white space to exactly `size` bytes.
    private static byte[] BatchOfSize(int size)
    {
        var item = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"" + new string('x', 30_000) + "\"}}";
        var json = "{\"batch\":[" + string.Join(",", Enumerable.Repeat(item, 16)) + "]}";
        return Encoding.UTF8.GetBytes(json + new string(' ', size - json.Length));
    }

    [Fact]
    public void TryReadBatch_BodyOfExactly500KB_IsAccepted()
    {
        var body = BatchOfSize(512_000);

        Assert.True(MessageReader.TryReadBatch(body, out var batch, out var error), error?.Message);
        Assert.Equal(16, batch.Messages.Count);
    }

    [Fact]
    public void TryReadBatch_BodyOneByteOver500KB_IsTooLarge()
    {
        AssertError(RejectBatch(BatchOfSize(512_001)), MessageErrorKind.TooLarge, "body", "body is too large: 512001 bytes, at most 512000 (500 KB) allowed");
    }

    [Fact]
    public void TryReadBatch_ByteOrderMark_DoesNotCountTowardTheLimit()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. BatchOfSize(512_000)];

        Assert.True(MessageReader.TryReadBatch(body, out _, out var error), error?.Message);
    }
}
