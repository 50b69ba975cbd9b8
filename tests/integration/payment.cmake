# payment-service's suites (included by tests/integration/CMakeLists.txt).
bazaar_integration_test(payment_test payment_test.cpp)
target_link_libraries(payment_test PRIVATE bazaar_events bazaar_pg)
target_compile_definitions(payment_test PRIVATE
  BAZAAR_PAYMENT_SERVICE_BIN="$<TARGET_FILE:payment-service>")
add_dependencies(payment_test payment-service)
