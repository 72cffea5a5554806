using TinyCdp.Ingestion;
using static TinyCdp.Core.Tests.Ingestion.IngestionJson;

namespace TinyCdp.Core.Tests.Ingestion;

public class MessageReaderBatchTests
{
    // What @segment/analytics-node 2.x posts to /v1/batch, verbatim but for the ids.
    private const string AnalyticsNodeBody = """
        {
          "batch": [
            {
              "userId": "019mr8mf4r",
              "event": "Item Purchased",
              "properties": { "revenue": 39.95, "shippingMethod": "2-day" },
              "type": "track",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "nodeVersion": "20.11.1", "jsRuntime": "node" },
              "timestamp": "2024-05-01T12:00:00.123Z",
              "messageId": "node-next-1714564800123-9b5c6c1f-4a7e-4d0f-8a7b-3a1f2c9d8e01",
              "integrations": {}
            },
            {
              "userId": "019mr8mf4r",
              "traits": { "name": "Peter Gibbons", "email": "peter@example.com", "plan": "premium" },
              "type": "identify",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "nodeVersion": "20.11.1", "jsRuntime": "node" },
              "timestamp": "2024-05-01T12:00:00.456Z",
              "messageId": "node-next-1714564800456-0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
              "integrations": {}
            },
            {
              "anonymousId": "507f191e810c19729de860ea",
              "name": "Pricing",
              "category": "Docs",
              "properties": { "path": "/pricing" },
              "type": "page",
              "context": { "library": { "name": "@segment/analytics-node", "version": "2.1.2" } },
              "_metadata": { "nodeVersion": "20.11.1", "jsRuntime": "node" },
              "timestamp": "2024-05-01T12:00:00.789Z",
              "messageId": "node-next-1714564800789-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
              "integrations": {}
            }
          ],
          "writeKey": "wk_live_0123456789",
          "sentAt": "2024-05-01T12:00:01.000Z"
        }
        """;

    [Fact]
    public void TryReadBatch_AnalyticsNodeBody_ReadsEveryItem()
    {
        Assert.True(MessageReader.TryReadBatch(System.Text.Encoding.UTF8.GetBytes(AnalyticsNodeBody), out var batch, out _));

        Assert.Equal("wk_live_0123456789", batch.WriteKey);
        Assert.Equal([MessageKind.Track, MessageKind.Identify, MessageKind.Page], batch.Messages.Select(m => m.Kind));
        var sentAt = new DateTimeOffset(2024, 5, 1, 12, 0, 1, TimeSpan.Zero);
        Assert.All(batch.Messages, m => Assert.Equal(sentAt, m.SentAt));
        Assert.All(batch.Messages, m => Assert.Equal("@segment/analytics-node", m.Context.Member("library").Member("name").AsString));

        var track = batch.Messages[0];
        Assert.Equal("Item Purchased", track.Event);
        Assert.Equal("019mr8mf4r", track.UserId);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, 123, TimeSpan.Zero), track.Timestamp);
        Assert.Equal("node-next-1714564800123-9b5c6c1f-4a7e-4d0f-8a7b-3a1f2c9d8e01", track.MessageId);
        Assert.Equal("peter@example.com", batch.Messages[1].Traits.Member("email").AsString);
        Assert.Equal("Pricing", batch.Messages[2].Event);
        Assert.Equal("Docs", batch.Messages[2].Category);
    }

    [Fact]
    public void TryReadBatch_BatchSentAtAndContext_ApplyOnlyToItemsWithoutTheirOwn()
    {
        var batch = ReadBatch("""
            {'sentAt':'2024-05-01T12:00:01Z','context':{'ip':'1.1.1.1'},'batch':[
              {'type':'track','event':'a','userId':'u'},
              {'type':'track','event':'b','userId':'u','sentAt':'2024-05-01T12:00:05Z','context':{'locale':'de-DE'}},
              {'type':'track','event':'c','userId':'u','sentAt':null,'context':null}]}
            """);

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 1, TimeSpan.Zero), batch.Messages[0].SentAt);
        Assert.Equal("1.1.1.1", batch.Messages[0].Context.Member("ip").AsString);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 5, TimeSpan.Zero), batch.Messages[1].SentAt);
        Assert.True(batch.Messages[1].Context.Member("ip").IsNull);
        Assert.Equal("de-DE", batch.Messages[1].Context.Member("locale").AsString);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 1, TimeSpan.Zero), batch.Messages[2].SentAt);
        Assert.Equal("1.1.1.1", batch.Messages[2].Context.Member("ip").AsString);
        Assert.Null(batch.WriteKey);
    }

    [Fact]
    public void TryReadBatch_SeedShapedItems_AreRead()
    {
        var batch = ReadBatch("{'batch':[{'type':'track','event':'Signed Up','externalId':'e1','deviceId':'d1','ts':'2024-05-01T12:00:00Z','props':{'plan':'pro'}}]}");

        var message = Assert.Single(batch.Messages);
        Assert.Equal("e1", message.UserId);
        Assert.Equal("d1", message.AnonymousId);
        Assert.Equal("pro", message.Properties.Member("plan").AsString);
    }

    [Fact]
    public void TryReadBatch_Empty_HasNoMessages()
    {
        Assert.Empty(ReadBatch("{'batch':[]}").Messages);
    }

    [Fact]
    public void TryReadBatch_ByteOrderMark_IsSkipped()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Utf8("{'batch':[{'type':'track','event':'e','userId':'u'}]}")];

        Assert.True(MessageReader.TryReadBatch(body, out var batch, out _));
        Assert.Single(batch.Messages);
    }

    [Fact]
    public void TryReadBatch_OneInvalidItem_RejectsTheWholeBatchNamingIt()
    {
        var error = RejectBatch("{'batch':[{'type':'track','event':'a','userId':'u'},{'type':'identify','userId':'u'},{'type':'track','event':7,'userId':'u'},{'type':'track','event':'d','userId':'u'}]}");

        AssertError(error, MessageErrorKind.Invalid, "batch[2].event", "batch[2]: event must be a string", 2);
    }

    [Fact]
    public void TryReadBatch_SeveralInvalidItems_ReportsTheFirst()
    {
        var error = RejectBatch("{'batch':[{'type':'track','event':'a','userId':'u'},{'type':'track','event':'$x','userId':'u'},{'type':'track','event':7,'userId':'u'}]}");

        AssertError(error, MessageErrorKind.Invalid, "batch[1].event", "batch[1]: event names starting with '$' are reserved", 1);
    }

    public static TheoryData<string, MessageErrorKind, string, string, int?> BodyErrors => new()
    {
        { "[]", MessageErrorKind.Malformed, "body", "body must be a JSON object", null },
        { "'batch'", MessageErrorKind.Malformed, "body", "body must be a JSON object", null },
        { "{'batch':[}", MessageErrorKind.Malformed, "body", "body is not valid JSON (line 1, byte 11)", null },
        { "{}", MessageErrorKind.Invalid, "batch", "batch is required", null },
        { "{'batch':null}", MessageErrorKind.Invalid, "batch", "batch is required", null },
        { "{'batch':{'type':'track'}}", MessageErrorKind.Invalid, "batch", "batch must be an array", null },
        { "{'batch':[],'writeKey':5}", MessageErrorKind.Invalid, "writeKey", "writeKey must be a string", null },
        { "{'batch':[],'sentAt':1714564800000}", MessageErrorKind.Invalid, "sentAt", "sentAt must be an ISO-8601 date-time", null },
        { "{'batch':[],'context':'web'}", MessageErrorKind.Invalid, "context", "context must be an object", null },
        { "{'batch':[],'context':{'a':'\\ud800'}}", MessageErrorKind.Invalid, "context.a", "context.a contains invalid Unicode text", null },
        { "{'batch':[{'type':'track','event':'e','userId':'u'},[1]]}", MessageErrorKind.Malformed, "batch[1]", "batch[1]: message must be a JSON object", 1 },
        { "{'batch':[null]}", MessageErrorKind.Malformed, "batch[0]", "batch[0]: message must be a JSON object", 0 },
        { "{'batch':[{'event':'e','userId':'u'}]}", MessageErrorKind.Invalid, "batch[0].type", "batch[0]: type is required", 0 },
        { "{'batch':[{'type':'purchase','event':'e','userId':'u'}]}", MessageErrorKind.Invalid, "batch[0].type", "batch[0]: type must be one of track, identify, alias, page, screen, group", 0 },
        { "{'batch':[{'type':'track','event':'e'}]}", MessageErrorKind.Invalid, "batch[0].userId", "batch[0]: userId or anonymousId is required (\"\", \"null\", \"0\" and similar placeholders do not count)", 0 },
        { "{'batch':[{'type':'track','event':'e','userId':'u','timestamp':'yesterday'}]}", MessageErrorKind.Invalid, "batch[0].timestamp", "batch[0]: timestamp must be an ISO-8601 date-time", 0 },
        { "{'batch':[{'type':'track','event':'e','userId':'u','properties':{'a':[{'b':'\\udfff'}]}}]}", MessageErrorKind.Invalid, "batch[0].properties.a[0].b", "batch[0]: properties.a[0].b contains invalid Unicode text", 0 },
    };

    [Theory]
    [MemberData(nameof(BodyErrors))]
    public void TryReadBatch_InvalidBody_NamesTheField(string json, MessageErrorKind kind, string field, string message, int? index)
    {
        AssertError(RejectBatch(json), kind, field, message, index);
    }

    [Fact]
    public void TryReadBatch_ItemWriteKeyAndUnknownBatchFields_AreIgnored()
    {
        var batch = ReadBatch("{'batch':[{'type':'track','event':'e','userId':'u','writeKey':5}],'timestamp':'whenever','_metadata':7}");

        Assert.Single(batch.Messages);
    }
}
