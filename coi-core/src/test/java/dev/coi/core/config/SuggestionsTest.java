package dev.coi.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  @Test
  void distanceCountsInsertionsDeletionsAndSubstitutions() {
    assertEquals(0, Suggestions.distance("image", "image"));
    assertEquals(1, Suggestions.distance("persistnt", "persistent"));
    assertEquals(1, Suggestions.distance("imagee", "image"));
    assertEquals(1, Suggestions.distance("slats", "slots"));
    assertEquals(3, Suggestions.distance("kitten", "sitting"));
    assertEquals(5, Suggestions.distance("", "slots"));
  }

  @Test
  void theClosestCandidateIsSuggestedOnlyWhenItLooksLikeATypo() {
    List<String> keys = List.of("image", "persistent", "privileged", "slots");
    assertEquals(Optional.of("persistent"), Suggestions.closest("persistant", keys));
    assertEquals(Optional.of("slots"), Suggestions.closest("SLOTS", keys));
    assertEquals(Optional.empty(), Suggestions.closest("gpu_count", keys));
  }
}
