# Included by tests/CMakeLists.txt: every fuzz target built with tests/fuzz/replay_main.cpp
# (no libFuzzer, no sanitizers) and test_fuzz_regressions, which replays the inputs that once
# crashed and the committed fixtures through them. Fuzzing itself: bash tests/fuzz/run.sh.
set(fuzz_dir ${CMAKE_CURRENT_LIST_DIR})
set(fuzz_commands)
foreach(spec "safetensors|redub::models|${PROJECT_SOURCE_DIR}/tests/fixtures/diff2lip/ddim25.safetensors"
             "pt_import|redub::models|${PROJECT_SOURCE_DIR}/tests/fixtures/diff2lip/views.pt"
             "project|redub::core|"
             "probe|redub::media|${PROJECT_SOURCE_DIR}/resources/sample/new-speech.wav")
  string(REPLACE "|" ";" spec "${spec}")
  list(GET spec 0 name)
  list(GET spec 1 lib)
  list(GET spec 2 seed)
  add_executable(fuzz_replay_${name} ${fuzz_dir}/fuzz_${name}.cpp ${fuzz_dir}/replay_main.cpp)
  target_link_libraries(fuzz_replay_${name} PRIVATE ${lib})
  set(inputs ${seed})
  if(EXISTS ${fuzz_dir}/regressions/fuzz_${name})
    list(APPEND inputs ${fuzz_dir}/regressions/fuzz_${name})
  endif()
  if(inputs)
    string(JOIN " " inputs ${inputs})
    list(APPEND fuzz_commands "$<TARGET_FILE:fuzz_replay_${name}> ${inputs}")
  endif()
endforeach()
string(REPLACE ";" " && " fuzz_commands "${fuzz_commands}")
add_test(NAME test_fuzz_regressions COMMAND bash -c "set -e; ${fuzz_commands}")
set_tests_properties(test_fuzz_regressions PROPERTIES LABELS unit)
