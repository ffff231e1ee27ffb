package dev.coi.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitIdentityTest {
  @TempDir Path home;

  @Test
  void nameAndEmailAreReadFromTheUserSectionOnly() {
    String text =
        "# a comment\n"
            + "[core]\n\tname = not-this\n"
            + "[User]\n"
            + "\tName = Jane Doe   # trailing comment\n"
            + "\temail=jane@example.com\n"
            + "\tsigningkey = ABC\n"
            + "[user \"work\"]\n\temail = other@example.com\n";
    assertEquals(Map.of("name", "Jane Doe", "email", "jane@example.com"), GitIdentity.read(text));
  }

  @Test
  void quotesEscapesAndTheLastValueAreAsGitReadsThem() {
    String text =
        "[user] name = first\n"
            + "[user]\n"
            + "  name = \"Jane \\\"JD\\\" Doe ; not a comment\"\n"
            + "  email = \"  spaced@example.com\" ; comment\n";
    assertEquals(
        Map.of("name", "Jane \"JD\" Doe ; not a comment", "email", "  spaced@example.com"),
        GitIdentity.read(text));
  }

  @Test
  void theContainersGitconfigHoldsOnlyTheIdentityQuoted() throws IOException {
    Files.createDirectories(home.resolve(".config/git"));
    Files.writeString(
        home.resolve(".config/git/config"), "[user]\nname = Old\nemail = xdg@example.com\n");
    Files.writeString(
        home.resolve(".gitconfig"), "[user]\nname = Jane \\\\ Doe\n[credential]\nhelper = store\n");
    assertEquals(
        "# The host user's git identity, copied in by coi.\n"
            + "[user]\n"
            + "\tname = \"Jane \\\\ Doe\"\n"
            + "\temail = \"xdg@example.com\"\n",
        new String(GitIdentity.gitconfig(home).orElseThrow(), StandardCharsets.UTF_8));
  }

  @Test
  void noIdentityOnTheHostIsNothingToWrite() throws IOException {
    assertEquals(Optional.empty(), GitIdentity.gitconfig(home));
    Files.writeString(home.resolve(".gitconfig"), "[core]\neditor = vi\n");
    assertEquals(Optional.empty(), GitIdentity.gitconfig(home));
  }
}
