using ReferralNetwork.Contracts;
using ReferralNetwork.Matching.Encoding;

namespace ReferralNetwork.Tests.Matching;

public sealed class EncodingIndexTests : IDisposable
{
    private static readonly string[] Syllables =
        ["an", "binh", "chau", "dao", "hai", "kham", "lan", "minh", "nga", "phon", "sok", "thu", "vong", "xay", "yen", "kyaw", "aung", "srey", "mom", "chan"];

    private readonly ClkEncoder _encoder = new([.. Enumerable.Range(0, 32).Select(i => (byte)(255 - i))], "index-test");
    private readonly Random _random = new(42);

    private double Threshold => _encoder.Parameters.MatchThreshold;

    private PersonIdentifiers RandomPerson() => new(
        $"{Syllables[_random.Next(Syllables.Length)]} {Syllables[_random.Next(Syllables.Length)]}",
        Syllables[_random.Next(Syllables.Length)] + Syllables[_random.Next(Syllables.Length)],
        PartialDate.From(new DateOnly(1985, 1, 1).AddDays(_random.Next(9_000))),
        _random.Next(2) == 0 ? Sex.Female : Sex.Male);

    private (EncodingIndex Index, List<(Guid Id, PersonIdentifiers Person)> People) Filled(int count)
    {
        var index = new EncodingIndex("index-test");
        var people = new List<(Guid, PersonIdentifiers)>();
        for (var i = 0; i < count; i++)
        {
            var person = RandomPerson();
            var id = Guid.NewGuid();
            index.Add(id, _encoder.Encode(person));
            people.Add((id, person));
        }

        return (index, people);
    }

    [Fact]
    public void Search_returns_planted_duplicates_and_nothing_below_the_threshold()
    {
        var (index, people) = Filled(3_000);
        foreach (var (id, person) in people.Take(200))
        {
            // A second record of the same person: a typo in the given name and the date a day off.
            var given = person.GivenName!;
            var variant = person with
            {
                GivenName = given[..^1] + (given[^1] == 'a' ? 'e' : 'a'),
                DateOfBirth = PartialDate.From(new DateOnly(person.DateOfBirth!.Value.Year, person.DateOfBirth.Value.Month!.Value, person.DateOfBirth.Value.Day!.Value).AddDays(1)),
            };
            var query = _encoder.Encode(variant);
            var exact = Clk1024.Dice(query.Bits, _encoder.Encode(person).Bits);

            var found = index.Search(query, Threshold);

            Assert.All(found, c => Assert.True(c.Dice >= Threshold));
            Assert.Equal(found.OrderByDescending(c => c.Dice), found);
            if (exact >= Threshold)
            {
                Assert.Contains(found, c => c.Id == id);
            }
        }

    }

    [Fact]
    public void Blocking_finds_what_an_exhaustive_scan_finds_for_close_duplicates()
    {
        var (index, people) = Filled(3_000);
        var missed = 0;
        var total = 0;
        foreach (var (id, person) in people.Take(300))
        {
            var query = _encoder.Encode(person with { GivenName = person.GivenName!.ToUpperInvariant() + "h" });
            var exhaustive = index.SearchExhaustive(query, Threshold).Select(c => c.Id).ToHashSet();
            var blocked = index.Search(query, Threshold).Select(c => c.Id).ToHashSet();

            Assert.Subset(exhaustive, blocked); // blocking can only lose candidates, never invent them
            total += exhaustive.Count;
            missed += exhaustive.Count - blocked.Count;
        }

        Assert.True(total > 250);
        Assert.True(missed <= total / 50, $"blocking lost {missed} of {total}");
    }

    [Fact]
    public void Remove_and_replace()
    {
        var index = new EncodingIndex("index-test");
        var person = RandomPerson();
        var id = Guid.NewGuid();
        var encoding = _encoder.Encode(person);

        index.Add(id, encoding);
        Assert.Equal(1, index.Count);
        Assert.Contains(index.Search(encoding, Threshold), c => c.Id == id && c.Dice == 1.0);

        var someoneElse = _encoder.Encode(RandomPerson());
        index.Add(id, someoneElse); // replaces
        Assert.Equal(1, index.Count);
        Assert.DoesNotContain(index.Search(encoding, 0.99), c => c.Id == id);
        Assert.Contains(index.Search(someoneElse, 0.99), c => c.Id == id);

        Assert.True(index.Remove(id));
        Assert.False(index.Remove(id));
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Search(someoneElse, 0.5));

        // Freed slots are reused without leaving stale bucket entries behind.
        var again = Guid.NewGuid();
        index.Add(again, encoding);
        Assert.Equal([again], index.Search(encoding, 0.99).Select(c => c.Id));
    }

    [Fact]
    public void Encodings_of_another_key_are_refused()
    {
        using var other = new ClkEncoder(new byte[32], "other");
        var index = new EncodingIndex("index-test");
        var foreign = other.Encode(RandomPerson());

        Assert.Throws<ArgumentException>(() => index.Add(Guid.NewGuid(), foreign));
        Assert.Throws<ArgumentException>(() => index.Search(foreign, 0.9));
    }

    [Fact]
    public void An_empty_query_finds_nothing()
    {
        var (index, _) = Filled(100);
        var empty = _encoder.Encode(new PersonIdentifiers(null, null, null, Sex.Unknown));

        Assert.Empty(index.Search(empty, 0.1));
    }

    [Fact]
    public void Concurrent_searches_and_adds_are_safe()
    {
        var (index, people) = Filled(1_000);
        var queries = people.Take(100).Select(p => _encoder.Encode(p.Person)).ToArray();
        var extra = Enumerable.Range(0, 500).Select(_ => _encoder.Encode(RandomPerson())).ToArray();

        Parallel.Invoke(
            () => Parallel.ForEach(queries, q => Assert.NotEmpty(index.Search(q, 0.99))),
            () =>
            {
                foreach (var e in extra)
                {
                    index.Add(Guid.NewGuid(), e);
                }
            });

        Assert.Equal(1_500, index.Count);
    }

    public void Dispose() => _encoder.Dispose();
}
