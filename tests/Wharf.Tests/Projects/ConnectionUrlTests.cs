using Wharf.Projects;

namespace Wharf.Tests.Projects;

public sealed class ConnectionUrlTests
{
    [Theory]
    [InlineData("postgres://etl:s3cret@db:5432/shop", "postgres://etl:***@db:5432/shop")]
    [InlineData("postgresql://etl:p@ss:w/rd@db/shop?sslmode=require", "postgresql://etl:***@db/shop?sslmode=require")]
    [InlineData("postgres://etl@db/shop?sslmode=disable&password=s3cret", "postgres://etl@db/shop?sslmode=disable&password=***")]
    [InlineData("postgres://etl:s3cret@db/shop?PASSWORD=s3cret", "postgres://etl:***@db/shop?PASSWORD=***")]
    [InlineData("postgres://db/shop", "postgres://db/shop")]
    [InlineData("postgres://etl@db/shop", "postgres://etl@db/shop")]
    [InlineData("sqlite:shop.db", "sqlite:shop.db")]
    [InlineData("data/*.csv", "data/*.csv")]
    public void Redact_HidesPasswords_AndKeepsTheRest(string url, string shown) =>
        ConnectionUrl.Redact(url).ShouldBe(shown);
}
