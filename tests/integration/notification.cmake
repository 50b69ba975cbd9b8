# notification-service against real PostgreSQL, Kafka, user-service and SMTP (aiosmtpd).
bazaar_integration_test(notification_test notification_test.cpp)
target_link_libraries(notification_test PRIVATE bazaar_events)
target_compile_definitions(notification_test PRIVATE
  NOTIFICATION_SERVICE_BIN="$<TARGET_FILE:notification-service>")
add_dependencies(notification_test notification-service)
