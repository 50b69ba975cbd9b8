# order-service against PostgreSQL, Kafka and the real user-service.
bazaar_integration_test(order_test order_test.cpp)
target_link_libraries(order_test PRIVATE bazaar_events bazaar_pg)
target_compile_definitions(order_test PRIVATE
  ORDER_SERVICE_BIN="$<TARGET_FILE:order-service>"
  USER_SERVICE_BIN="$<TARGET_FILE:user-service>")
add_dependencies(order_test order-service user-service)
