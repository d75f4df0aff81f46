using ReferralNetwork.Tests.Support;

[assembly: AssemblyFixture(typeof(SharedPlatform))]
[assembly: TestCollectionOrderer(typeof(ReferralNetwork.Testing.LongestFirst))]
