using System.Text;
using System.Text.Json;
using ReferralNetwork.Storage.Protection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Storage.Protection;

public sealed class KeyRingFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly string GoodKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private static readonly string OtherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private static readonly string ShortKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_saved_ring_survives_reload_and_opens_what_it_wrapped()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        var ring = KeyRing.Create(["TH", "VN", KeyRing.Regional]);
        var referralId = Guid.NewGuid();
        var protector = new EnvelopeProtector(ring);
        using var key = protector.NewDataKey("TH", referralId);
        var sealedText = protector.SealText(key, SealLabels.Subject, "Somchai Prasert");

        ring.Save(path);
        var reloaded = KeyRing.Load(path);

        Assert.Equal(ring.Countries, reloaded.Countries);
        Assert.True(reloaded.HasDefault);
        Assert.False(reloaded.IsDevelopment);
        foreach (var country in new[] { "TH", "VN", KeyRing.Regional, "KH" })
        {
            Assert.Equal(ring.CurrentKeyId(country), reloaded.CurrentKeyId(country));
        }

        var again = new EnvelopeProtector(reloaded);
        using var reopened = again.Unwrap(key.Wrapped, referralId);
        Assert.Equal("Somchai Prasert", again.OpenText(reopened, SealLabels.Subject, sealedText));
    }

    [Fact]
    public void A_saved_ring_has_the_documented_format()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        var ring = KeyRing.Create(["TH"]);

        ring.Save(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.False(root.TryGetProperty("development", out _));
        var thailand = root.GetProperty("countries").GetProperty("TH");
        var current = thailand.GetProperty("current").GetString()!;
        Assert.Matches("^th-[0-9]{8}-[0-9a-f]{12}$", current);
        Assert.Equal(32, thailand.GetProperty("keys").GetProperty(current).GetBytesFromBase64().Length);
        Assert.StartsWith("default-", root.GetProperty("default").GetProperty("current").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_hand_written_ring_with_several_keys_loads_with_the_named_one_current()
    {
        var path = Write($$"""
            {
              // comments are allowed, as are trailing commas
              "version": 1,
              "countries": {
                "th": { "current": "th-2", "keys": { "th-1": "{{GoodKey}}", "th-2": "{{OtherKey}}", } },
              },
            }
            """);

        var ring = KeyRing.Load(path);

        Assert.Equal(new[] { "TH" }, ring.Countries);
        Assert.False(ring.HasDefault);
        Assert.Equal("th-2", ring.CurrentKeyId("TH"));
        Assert.Equal(new[] { "th-1", "th-2" }, ring.KeyIds("th"));
        Assert.Throws<MissingKeyException>(() => ring.CurrentKeyId("VN"));
    }

    [Fact]
    public void A_missing_file_is_refused_with_its_path()
    {
        var path = Path.Combine(_folder.Path, "absent", "keys.json");

        var refused = Assert.Throws<KeyRingException>(() => KeyRing.Load(path));

        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"version\": 1, ", "not valid JSON")]
    [InlineData("[]", "must hold a JSON object")]
    [InlineData("{ \"countries\": { \"TH\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } } } }", "\"version\" is missing")]
    [InlineData("{ \"version\": 2, \"default\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } } }", "\"version\" must be 1")]
    [InlineData("{ \"version\": 1 }", "holds no ring")]
    [InlineData("{ \"version\": 1, \"countries\": {} }", "holds no ring")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a\", \"keys\": { \"a\": \"SHORT\" } } }", "default.keys.a: the key is 16 bytes; keys must be 32 bytes")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a\", \"keys\": { \"a\": \"not base64!\" } } }", "default.keys.a: not a base64 string")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"b\", \"keys\": { \"a\": \"GOOD\" } } }", "default.current: key 'b' is not in default.keys")]
    [InlineData("{ \"version\": 1, \"default\": { \"keys\": { \"a\": \"GOOD\" } } }", "default.current is missing")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a\", \"keys\": {} } }", "default.keys is empty")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a\" } }", "default.keys is missing")]
    [InlineData("{ \"version\": 1, \"countries\": { \"Thailand\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } } } }", "\"Thailand\" is not a country code")]
    [InlineData("{ \"version\": 1, \"countries\": { \"TH\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } }, \"th\": { \"current\": \"b\", \"keys\": { \"b\": \"OTHER\" } } } }", "country TH has more than one ring")]
    [InlineData("{ \"version\": 1, \"countries\": { \"TH\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } }, \"VN\": { \"current\": \"a\", \"keys\": { \"a\": \"OTHER\" } } } }", "countries.VN.keys.a: the key id appears more than once")]
    [InlineData("{ \"version\": 1, \"countries\": { \"TH\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } }, \"VN\": { \"current\": \"b\", \"keys\": { \"b\": \"GOOD\" } } } }", "the same key bytes as key 'a'")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a b\", \"keys\": { \"a b\": \"GOOD\" } } }", "key id 'a b' is not valid")]
    [InlineData("{ \"version\": 1, \"defualt\": { \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } } }", "unknown property \"defualt\"")]
    [InlineData("{ \"version\": 1, \"default\": { \"curent\": \"a\", \"current\": \"a\", \"keys\": { \"a\": \"GOOD\" } } }", "default: unknown property \"curent\"")]
    [InlineData("{ \"version\": 1, \"default\": { \"current\": \"a\", \"keys\": { \"a\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\" } } }", "the key is all zeros")]
    public void A_bad_file_is_refused_with_a_message_naming_the_problem(string json, string expected)
    {
        var path = Write(json.Replace("GOOD", GoodKey, StringComparison.Ordinal).Replace("OTHER", OtherKey, StringComparison.Ordinal).Replace("SHORT", ShortKey, StringComparison.Ordinal));

        var refused = Assert.Throws<KeyRingException>(() => KeyRing.Load(path));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        Assert.Equal(path, refused.RingSource);
        Assert.NotEmpty(refused.Problems);
        foreach (var key in new[] { GoodKey, OtherKey, ShortKey })
        {
            Assert.DoesNotContain(key, refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_problem_of_a_bad_file_is_listed_at_once()
    {
        var path = Write($$"""
            {
              "version": 1,
              "default": { "current": "default-1", "keys": { "default-1": "{{ShortKey}}" } },
              "countries": { "TH": { "current": "th-9", "keys": { "th-1": "{{GoodKey}}" } } }
            }
            """);

        var refused = Assert.Throws<KeyRingException>(() => KeyRing.Load(path));

        Assert.Equal(2, refused.Problems.Count);
        Assert.Contains("default.keys.default-1: the key is 16 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("countries.TH.current: key 'th-9' is not in countries.TH.keys", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generated_development_ring_is_private_to_its_owner_and_marked()
    {
        var path = Path.Combine(_folder.Path, "data", "keys.json");

        var ring = KeyRing.GenerateDevelopment(path, ["TH"]);

        Assert.True(ring.IsDevelopment);
        Assert.Equal(new[] { "TH" }, ring.Countries);
        Assert.True(ring.HasDefault);
        Assert.Contains("DEVELOPMENT ONLY", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.True(KeyRing.Load(path).IsDevelopment);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(new[] { Path.GetFileName(path), Path.GetFileName(path) + ".lock" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Generating_a_development_ring_twice_reloads_the_first()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        var first = KeyRing.GenerateDevelopment(path);
        var referralId = Guid.NewGuid();
        using var key = new EnvelopeProtector(first).NewDataKey("TH", referralId);
        var written = File.ReadAllBytes(path);

        var second = KeyRing.GenerateDevelopment(path);

        Assert.Equal(written, File.ReadAllBytes(path));
        Assert.Equal(first.CurrentKeyId("TH"), second.CurrentKeyId("TH"));
        using var reopened = new EnvelopeProtector(second).Unwrap(key.Wrapped, referralId);
    }

    [Fact]
    public async Task Processes_racing_to_generate_a_development_ring_end_up_with_the_same_one()
    {
        var path = Path.Combine(_folder.Path, "keys.json");

        var rings = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => KeyRing.GenerateDevelopment(path))));

        var onDisk = KeyRing.Load(path).CurrentKeyId("XX");
        Assert.All(rings, ring => Assert.Equal(onDisk, ring.CurrentKeyId("XX")));
        // The ring and the (empty) lock file the writers took turns on; no temporary file left behind.
        Assert.Equal(["keys.json", "keys.json.lock"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Rotating_the_file_keeps_old_keys_and_replaces_it_whole()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        var original = KeyRing.Create(["TH", "VN"]);
        original.Save(path);
        var protector = new EnvelopeProtector(original);
        var referralId = Guid.NewGuid();
        using var key = protector.NewDataKey("TH", referralId);
        var sealedText = protector.SealText(key, SealLabels.Subject, "Somchai Prasert");

        var rotated = KeyRing.RotateFile(path, "TH");

        var reloaded = KeyRing.Load(path);
        Assert.Equal(rotated.CurrentKeyId("TH"), reloaded.CurrentKeyId("TH"));
        Assert.NotEqual(original.CurrentKeyId("TH"), reloaded.CurrentKeyId("TH"));
        Assert.Equal(original.KeyIds("TH").Append(reloaded.CurrentKeyId("TH")), reloaded.KeyIds("TH"));
        Assert.Equal(original.KeyIds("VN"), reloaded.KeyIds("VN"));
        Assert.Equal(original.CurrentKeyId("KH"), reloaded.CurrentKeyId("KH"));
        Assert.Single(Directory.GetFiles(_folder.Path)); // no temporary file left beside it
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
        }

        protector.UseRing(reloaded);
        using var reopened = protector.Unwrap(key.Wrapped, referralId);
        Assert.Equal("Somchai Prasert", protector.OpenText(reopened, SealLabels.Subject, sealedText));
        Assert.Equal(reloaded.CurrentKeyId("TH"), protector.Rewrap(key.Wrapped, referralId).KeyId);
    }

    [Fact]
    public void Rotating_a_development_file_keeps_it_marked()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        var generated = KeyRing.GenerateDevelopment(path);

        var rotated = KeyRing.RotateFile(path);

        Assert.True(KeyRing.Load(path).IsDevelopment);
        Assert.Contains("DEVELOPMENT ONLY", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(2, rotated.KeyIds("TH").Count);
        Assert.NotEqual(generated.CurrentKeyId("TH"), rotated.CurrentKeyId("TH"));
    }

    [Fact]
    public void Saving_replaces_the_file_through_a_rename()
    {
        var path = Path.Combine(_folder.Path, "keys.json");
        KeyRing.Create(["TH"]).Save(path);
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        var replacement = KeyRing.Create(["VN"]);
        replacement.Save(path);

        // A reader that opened the old file still reads the old file in full; a new reader sees the new one in full.
        using var old = JsonDocument.Parse(reader);
        Assert.True(old.RootElement.GetProperty("countries").TryGetProperty("TH", out _));
        Assert.Equal(new[] { "VN" }, KeyRing.Load(path).Countries);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_folder.Path, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json, new UTF8Encoding(false));
        return path;
    }
}
