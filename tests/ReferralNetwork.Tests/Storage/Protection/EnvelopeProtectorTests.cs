using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Tests.Storage.Protection;

public sealed class EnvelopeProtectorTests
{
    private static readonly KeyRing Ring = KeyRing.Create(["TH", "VN", KeyRing.Regional]);

    private readonly EnvelopeProtector _protector = new(Ring);

    [Fact]
    public void Text_and_bytes_round_trip_under_a_fresh_data_key()
    {
        var referralId = Guid.NewGuid();
        var document = RandomBytes(10_000);
        SealedText sealedName;
        byte[] sealedDocument;
        WrappedDataKey wrapped;
        using (var key = _protector.NewDataKey("th", referralId))
        {
            wrapped = key.Wrapped;
            sealedName = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");
            sealedDocument = _protector.Seal(key, SealLabels.Document(referralId), document);
        }

        Assert.Equal("TH", wrapped.Country);
        Assert.Equal(Ring.CurrentKeyId("TH"), wrapped.KeyId);
        using var reopened = _protector.Unwrap(wrapped, referralId);
        Assert.Equal("Somchai Prasert", _protector.OpenText(reopened, SealLabels.Subject, sealedName));
        Assert.Equal(document, _protector.Open(reopened, SealLabels.Document(referralId), sealedDocument));
    }

    [Fact]
    public void Empty_and_long_texts_round_trip()
    {
        using var key = _protector.NewDataKey("VN", Guid.NewGuid());
        var longText = string.Concat(Enumerable.Repeat("Nguyễn Thị 🌏 ", 1_000)); // past the stack buffer

        Assert.Equal("", _protector.OpenText(key, "summary", _protector.SealText(key, "summary", "")));
        Assert.Equal(longText, _protector.OpenText(key, "summary", _protector.SealText(key, "summary", longText)));
    }

    [Fact]
    public void Span_seal_and_open_write_into_the_given_buffers()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var plaintext = RandomBytes(100);
        var sealedBytes = new byte[EnvelopeProtector.SealedLength(plaintext.Length) + 7];
        var opened = new byte[plaintext.Length + 3];

        var sealedLength = _protector.Seal(key, SealLabels.Subject, plaintext, sealedBytes);
        var openedLength = _protector.Open(key, SealLabels.Subject, sealedBytes.AsSpan(0, sealedLength), opened);

        Assert.Equal(plaintext.Length + EnvelopeProtector.SealOverhead, sealedLength);
        Assert.Equal(plaintext, opened[..openedLength]);
        Assert.Throws<ArgumentException>(() => _protector.Seal(key, SealLabels.Subject, plaintext, new byte[plaintext.Length]));
    }

    [Fact]
    public void Sealed_bytes_have_the_documented_layout()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedText = _protector.SealText(key, SealLabels.HandoffMessage, "abc");

        Assert.Equal(EnvelopeProtector.FormatVersion, sealedText.Bytes[0]);
        Assert.Equal(1 + 12 + 3 + 16, sealedText.Bytes.Length);
    }

    [Fact]
    public void Ciphertext_moved_to_another_referral_fails_to_open()
    {
        using var first = _protector.NewDataKey("TH", Guid.NewGuid());
        using var second = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedText = _protector.SealText(first, SealLabels.Subject, "Somchai Prasert");

        Assert.Throws<SealBrokenException>(() => _protector.OpenText(second, SealLabels.Subject, sealedText));
    }

    [Fact]
    public void Ciphertext_opened_under_another_owner_with_the_same_key_bytes_fails_to_open()
    {
        // Even a data key copied to another referral (key bytes and all) does not open that referral's values.
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        using var sameBytesOtherOwner = new DataKey(key.Wrapped, Guid.NewGuid(), CopyOf(key.Material));
        var sealedText = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");

        using var sameBytesSameOwner = new DataKey(key.Wrapped, key.OwnerId, CopyOf(key.Material));
        Assert.Equal("Somchai Prasert", _protector.OpenText(sameBytesSameOwner, SealLabels.Subject, sealedText));
        Assert.Throws<SealBrokenException>(() => _protector.OpenText(sameBytesOtherOwner, SealLabels.Subject, sealedText));
    }

    [Fact]
    public void Wrapped_key_moved_to_another_referral_fails_to_unwrap()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());

        var broken = Assert.Throws<SealBrokenException>(() => _protector.Unwrap(key.Wrapped, Guid.NewGuid()));
        Assert.Contains("another owner", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ciphertext_moved_to_another_field_fails_to_open()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedText = _protector.SealText(key, SealLabels.HandoffMessage, "meet at the border post");
        var sealedDocument = _protector.Seal(key, SealLabels.Document(Guid.NewGuid()), RandomBytes(64));

        Assert.Throws<SealBrokenException>(() => _protector.OpenText(key, SealLabels.Subject, sealedText));
        Assert.Throws<SealBrokenException>(() => _protector.Open(key, SealLabels.Document(Guid.NewGuid()), sealedDocument));
    }

    [Fact]
    public void Any_altered_byte_breaks_the_seal_and_nothing_is_returned()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedBytes = _protector.Seal(key, SealLabels.Subject, Encoding.UTF8.GetBytes("Somchai Prasert"));
        var destination = new byte[EnvelopeProtector.OpenedLength(sealedBytes.Length)];

        for (var position = 0; position < sealedBytes.Length; position++)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[position] ^= 0x01;
            Assert.Throws<SealBrokenException>(() => _protector.Open(key, SealLabels.Subject, altered, destination));
            Assert.All(destination, b => Assert.Equal(0, b));
        }

        Assert.Throws<SealBrokenException>(() => _protector.Open(key, SealLabels.Subject, sealedBytes.AsSpan(0, sealedBytes.Length - 1)));
        Assert.Throws<SealBrokenException>(() => _protector.Open(key, SealLabels.Subject, sealedBytes.AsSpan(0, 5)));
        Assert.Throws<SealBrokenException>(() => _protector.OpenText(key, SealLabels.Subject, new SealedText([])));
    }

    [Fact]
    public void Any_altered_byte_of_a_wrapped_key_breaks_it()
    {
        var referralId = Guid.NewGuid();
        using var key = _protector.NewDataKey("TH", referralId);
        var wrapped = key.Wrapped;

        for (var position = 0; position < wrapped.Nonce.Length; position++)
        {
            var nonce = (byte[])wrapped.Nonce.Clone();
            nonce[position] ^= 0x80;
            Assert.Throws<SealBrokenException>(() => _protector.Unwrap(wrapped with { Nonce = nonce }, referralId));
        }

        for (var position = 0; position < wrapped.Ciphertext.Length; position++)
        {
            var ciphertext = (byte[])wrapped.Ciphertext.Clone();
            ciphertext[position] ^= 0x80;
            Assert.Throws<SealBrokenException>(() => _protector.Unwrap(wrapped with { Ciphertext = ciphertext }, referralId));
        }

        Assert.Throws<SealBrokenException>(() => _protector.Unwrap(wrapped with { Ciphertext = wrapped.Ciphertext[..^1] }, referralId));
    }

    [Fact]
    public void Wrapped_key_relabelled_as_another_country_fails_to_unwrap()
    {
        var referralId = Guid.NewGuid();
        using var thai = _protector.NewDataKey("TH", referralId);
        using var byDefault = _protector.NewDataKey("KH", referralId); // no ring of its own: the default ring wraps it

        // Vietnam's ring does not hold Thailand's key.
        Assert.Throws<MissingKeyException>(() => _protector.Unwrap(thai.Wrapped with { Country = "VN" }, referralId));
        // Laos, like Cambodia, is served by the default ring, which holds the key; the country bound into the wrap differs.
        Assert.Throws<SealBrokenException>(() => _protector.Unwrap(byDefault.Wrapped with { Country = "LA" }, referralId));
        Assert.Throws<MissingKeyException>(() => _protector.Unwrap(thai.Wrapped with { Country = "th" }, referralId));
    }

    [Fact]
    public void Wrapped_key_fails_under_another_deployments_ring()
    {
        var referralId = Guid.NewGuid();
        using var key = _protector.NewDataKey("TH", referralId);

        var elsewhere = new EnvelopeProtector(KeyRing.Create(["TH"]));
        var onlyVietnam = new EnvelopeProtector(KeyRing.Create(["VN"], withDefault: false));

        Assert.Throws<MissingKeyException>(() => elsewhere.Unwrap(key.Wrapped, referralId));
        Assert.Throws<MissingKeyException>(() => onlyVietnam.Unwrap(key.Wrapped, referralId));
        Assert.Throws<MissingKeyException>(() => onlyVietnam.NewDataKey("TH", referralId));
    }

    [Fact]
    public void Wrapped_key_under_a_different_key_with_the_same_id_fails_to_unwrap()
    {
        var referralId = Guid.NewGuid();
        using var key = _protector.NewDataKey("TH", referralId);
        var id = key.Wrapped.KeyId;
        var impostorJson = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            version = 1,
            countries = new Dictionary<string, object> { ["TH"] = new { current = id, keys = new Dictionary<string, byte[]> { [id] = RandomBytes(32) } } },
        });
        var impostor = new EnvelopeProtector(KeyRingFile.Parse(impostorJson, "test"));

        Assert.Throws<SealBrokenException>(() => impostor.Unwrap(key.Wrapped, referralId));
    }

    [Fact]
    public void Sealed_bytes_contain_no_trace_of_the_plaintext()
    {
        var canary = $"canary-{Guid.NewGuid():N}";
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedText = _protector.SealText(key, SealLabels.Subject, $"Name: {canary}; born 2007");
        var sealedBytes = _protector.Seal(key, SealLabels.Subject, Encoding.UTF8.GetBytes($$"""{"givenName":"{{canary}}"}"""));
        var sealedUtf16 = _protector.Seal(key, SealLabels.Subject, Encoding.Unicode.GetBytes(canary));

        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serialized = services.GetRequiredService<Serializer>().SerializeToArray(sealedText);

        foreach (var haystack in new[] { sealedText.Bytes, sealedBytes, sealedUtf16, serialized })
        {
            AssertNoTrace(haystack, canary);
        }

        // Also once more as text, the way sealed bytes show up in JSON state or logs.
        foreach (var haystack in new[] { sealedText.Bytes, sealedBytes, sealedUtf16 })
        {
            Assert.DoesNotContain(canary, Convert.ToBase64String(haystack), StringComparison.Ordinal);
            Assert.DoesNotContain(canary, sealedText.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Two_seals_of_the_same_text_differ()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());

        var first = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");
        var second = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Bytes.AsSpan(1, EnvelopeProtector.NonceSize).ToArray(), second.Bytes.AsSpan(1, EnvelopeProtector.NonceSize).ToArray());
        Assert.Equal(_protector.OpenText(key, SealLabels.Subject, first), _protector.OpenText(key, SealLabels.Subject, second));
    }

    [Fact]
    public void Two_referrals_get_different_data_keys()
    {
        using var first = _protector.NewDataKey("TH", Guid.NewGuid());
        using var second = _protector.NewDataKey("TH", Guid.NewGuid());

        Assert.NotEqual(first.Material.ToArray(), second.Material.ToArray());
        Assert.NotEqual(first.Wrapped.Nonce, second.Wrapped.Nonce);
    }

    [Fact]
    public void Discarding_the_wrapped_key_shreds_the_data_even_for_the_ring_holder()
    {
        var referralId = Guid.NewGuid();
        var canary = $"canary-{Guid.NewGuid():N}";
        byte[] sealedBytes;
        using (var key = _protector.NewDataKey("TH", referralId))
        {
            sealedBytes = _protector.Seal(key, SealLabels.Subject, Encoding.UTF8.GetBytes(canary));
            // The wrapped key is not kept anywhere: this is what erasing a subject does.
        }

        // A new data key for the same referral is a different key.
        using (var replacement = _protector.NewDataKey("TH", referralId))
        {
            Assert.Throws<SealBrokenException>(() => _protector.Open(replacement, SealLabels.Subject, sealedBytes));
        }

        // Nor does any key of the ring itself open it.
        var keks = Ring.AllKeys.ToList();
        Assert.NotEmpty(keks);
        foreach (var kek in keks)
        {
            using var asDataKey = new DataKey(new WrappedDataKey("TH", kek.Id, [], []), referralId, CopyOf(kek.Material));
            Assert.Throws<SealBrokenException>(() => _protector.Open(asDataKey, SealLabels.Subject, sealedBytes));
        }
    }

    [Fact]
    public void A_disposed_data_key_is_zeroed_and_refuses_to_be_used()
    {
        var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var sealedText = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");
        var material = key.Material; // the key's own bytes, not a copy
        Assert.True(material.ContainsAnyExcept((byte)0));

        key.Dispose();

        Assert.False(material.ContainsAnyExcept((byte)0));
        Assert.Throws<ObjectDisposedException>(() => _protector.OpenText(key, SealLabels.Subject, sealedText));
        Assert.Throws<ObjectDisposedException>(() => _protector.SealText(key, SealLabels.Subject, "again"));
        key.Dispose();
    }

    [Fact]
    public void After_rotation_old_data_opens_and_new_keys_use_the_new_key()
    {
        var protector = new EnvelopeProtector(KeyRing.Create(["TH", "VN"]));
        var oldReferral = Guid.NewGuid();
        WrappedDataKey oldWrapped;
        SealedText oldText;
        using (var key = protector.NewDataKey("TH", oldReferral))
        {
            oldWrapped = key.Wrapped;
            oldText = protector.SealText(key, SealLabels.Subject, "before rotation");
        }

        var vietnamBefore = protector.Ring.CurrentKeyId("VN");
        protector.UseRing(protector.Ring.Rotate("TH"));

        using (var reopened = protector.Unwrap(oldWrapped, oldReferral))
        {
            Assert.Equal("before rotation", protector.OpenText(reopened, SealLabels.Subject, oldText));
        }

        using var fresh = protector.NewDataKey("TH", Guid.NewGuid());
        Assert.NotEqual(oldWrapped.KeyId, fresh.Wrapped.KeyId);
        Assert.Equal(protector.Ring.CurrentKeyId("TH"), fresh.Wrapped.KeyId);
        Assert.Equal(new[] { oldWrapped.KeyId, fresh.Wrapped.KeyId }, protector.Ring.KeyIds("TH"));
        Assert.Equal(vietnamBefore, protector.Ring.CurrentKeyId("VN"));
        Assert.False(protector.IsCurrent(oldWrapped));
        Assert.True(protector.IsCurrent(fresh.Wrapped));
    }

    [Fact]
    public void Rotating_all_gives_every_ring_a_new_current_key()
    {
        var ring = KeyRing.Create(["TH", "VN"]);

        var rotated = ring.Rotate();

        foreach (var country in new[] { "TH", "VN", "KH" })
        {
            Assert.NotEqual(ring.CurrentKeyId(country), rotated.CurrentKeyId(country));
            Assert.Equal(ring.KeyIds(country).Append(rotated.CurrentKeyId(country)), rotated.KeyIds(country));
        }
    }

    [Fact]
    public void A_country_rotated_off_the_default_ring_still_opens_its_old_data()
    {
        var protector = new EnvelopeProtector(KeyRing.Create(["TH"]));
        var referralId = Guid.NewGuid();
        using var before = protector.NewDataKey("KH", referralId);
        var sealedText = protector.SealText(before, SealLabels.Subject, "Sokha");

        protector.UseRing(protector.Ring.Rotate("KH"));

        Assert.Contains("KH", protector.Ring.Countries);
        Assert.DoesNotContain(before.Wrapped.KeyId, protector.Ring.KeyIds("KH"));
        using var after = protector.Unwrap(before.Wrapped, referralId);
        Assert.Equal("Sokha", protector.OpenText(after, SealLabels.Subject, sealedText));
        var rewrapped = protector.Rewrap(before.Wrapped, referralId);
        Assert.Equal(protector.Ring.CurrentKeyId("KH"), rewrapped.KeyId);
    }

    [Fact]
    public void Rewrap_moves_a_key_to_the_current_key_and_it_still_opens()
    {
        var protector = new EnvelopeProtector(KeyRing.Create(["TH"]));
        var referralId = Guid.NewGuid();
        WrappedDataKey wrapped;
        SealedText sealedText;
        using (var key = protector.NewDataKey("TH", referralId))
        {
            wrapped = key.Wrapped;
            sealedText = protector.SealText(key, SealLabels.Subject, "Somchai Prasert");
        }

        Assert.Same(wrapped, protector.Rewrap(wrapped, referralId));

        protector.UseRing(protector.Ring.Rotate("TH"));
        var rewrapped = protector.Rewrap(wrapped, referralId);

        Assert.NotSame(wrapped, rewrapped);
        Assert.Equal("TH", rewrapped.Country);
        Assert.Equal(protector.Ring.CurrentKeyId("TH"), rewrapped.KeyId);
        Assert.True(protector.IsCurrent(rewrapped));
        Assert.Same(rewrapped, protector.Rewrap(rewrapped, referralId));
        using var reopened = protector.Unwrap(rewrapped, referralId);
        Assert.Equal("Somchai Prasert", protector.OpenText(reopened, SealLabels.Subject, sealedText));
        Assert.Throws<SealBrokenException>(() => protector.Rewrap(wrapped, Guid.NewGuid()));
        Assert.Throws<SealBrokenException>(() => protector.Rewrap(rewrapped, Guid.NewGuid()));
    }

    [Fact]
    public void Countries_are_checked_and_owner_ids_are_required()
    {
        Assert.Throws<ArgumentException>(() => _protector.NewDataKey("Thailand", Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => _protector.NewDataKey("T1", Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => _protector.NewDataKey("TH", Guid.Empty));
        using var regional = _protector.NewDataKey("regional", Guid.NewGuid());
        Assert.Equal(KeyRing.Regional, regional.Country);
        Assert.Equal(Ring.CurrentKeyId(KeyRing.Regional), regional.Wrapped.KeyId);
    }

    [Fact]
    public void Labels_are_required_and_bounded()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());

        Assert.Throws<ArgumentException>(() => _protector.SealText(key, "", "x"));
        Assert.Throws<ArgumentException>(() => _protector.SealText(key, new string('x', EnvelopeProtector.MaxLabelBytes + 1), "x"));
        var longest = new string('x', EnvelopeProtector.MaxLabelBytes);
        Assert.Equal("x", _protector.OpenText(key, longest, _protector.SealText(key, longest, "x")));
    }

    [Fact]
    public async Task Concurrent_seals_and_opens_on_one_protector_are_independent()
    {
        var protector = new EnvelopeProtector(KeyRing.Create(["TH", "VN"]));
        using var done = new CancellationTokenSource();

        // One rotator (rotations are run from one place): each ring it installs holds every key of the one before.
        var rotator = Task.Run(() =>
        {
            for (var rotation = 0; rotation < 20 && !done.IsCancellationRequested; rotation++)
            {
                protector.UseRing(protector.Ring.Rotate(rotation % 2 == 0 ? "TH" : "VN"));
                Thread.Sleep(1);
            }
        });
        Parallel.For(0, 400, i =>
        {
            var referralId = Guid.NewGuid();
            var text = $"subject {i} of {referralId}";

            WrappedDataKey wrapped;
            SealedText sealedText;
            using (var key = protector.NewDataKey(i % 2 == 0 ? "TH" : "VN", referralId))
            {
                wrapped = key.Wrapped;
                sealedText = protector.SealText(key, SealLabels.Subject, text);
            }

            using var reopened = protector.Unwrap(wrapped, referralId);
            Assert.Equal(text, protector.OpenText(reopened, SealLabels.Subject, sealedText));
        });
        await done.CancelAsync();
        await rotator;
    }

    [Fact]
    public void Wrapped_keys_and_sealed_text_cross_silos_and_are_not_copied_within_one()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var copier = services.GetRequiredService<DeepCopier>();
        var referralId = Guid.NewGuid();
        using var key = _protector.NewDataKey("TH", referralId);
        var sealedText = _protector.SealText(key, SealLabels.Subject, "Somchai Prasert");

        var wrapped = serializer.Deserialize<WrappedDataKey>(serializer.SerializeToArray(key.Wrapped))!;
        var text = serializer.Deserialize<object>(serializer.SerializeToArray<object>(sealedText))!;

        Assert.Equal(key.Wrapped, wrapped);
        Assert.NotSame(key.Wrapped, wrapped);
        Assert.Equal(sealedText, text);
        Assert.Same(sealedText, copier.Copy(sealedText));
        Assert.Same(key.Wrapped, copier.Copy(key.Wrapped));
        using var reopened = _protector.Unwrap(wrapped, referralId);
        Assert.Equal("Somchai Prasert", _protector.OpenText(reopened, SealLabels.Subject, (SealedText)text));
    }

    [Fact]
    public void Nothing_printable_reveals_key_material()
    {
        using var key = _protector.NewDataKey("TH", Guid.NewGuid());
        var material = Convert.ToBase64String(key.Material);
        var kek = Convert.ToBase64String(Ring.AllKeys.First().Material);

        foreach (var printed in new[] { key.ToString(), key.Wrapped.ToString(), Ring.ToString() })
        {
            Assert.DoesNotContain(material, printed, StringComparison.Ordinal);
            Assert.DoesNotContain(kek, printed, StringComparison.Ordinal);
        }
    }

    private static void AssertNoTrace(byte[] haystack, string canary)
    {
        var needles = new[]
        {
            Encoding.UTF8.GetBytes(canary),
            Encoding.Unicode.GetBytes(canary),
            Encoding.BigEndianUnicode.GetBytes(canary),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(canary)).TrimEnd('=')),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.Unicode.GetBytes(canary)).TrimEnd('=')),
            Encoding.UTF8.GetBytes(canary[7..]), // the Guid part alone
        };
        foreach (var needle in needles)
        {
            Assert.True(haystack.AsSpan().IndexOf(needle) < 0, $"The sealed bytes contain the canary ({needle.Length}-byte form).");
        }
    }

    private static byte[] CopyOf(ReadOnlySpan<byte> material)
    {
        var copy = GC.AllocateUninitializedArray<byte>(material.Length, pinned: true);
        material.CopyTo(copy);
        return copy;
    }

    private static byte[] RandomBytes(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
